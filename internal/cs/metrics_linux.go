//go:build gc && !purego && (amd64 || arm64)

package cs

import (
	"fmt"
	"math"
	"unsafe"
)

// The metrics sections (package counter's Float and Histogram), in
// metrics_amd64.h and metrics_arm64.h; their generic versions and slow
// paths are in metrics.go. They have their own descriptor table
// (archSections), which the asm reads through MPROLOGUE.

// metricsAsm: AddFloat64 and AddPairAt are sections here.
const metricsAsm = true

// The metrics sections, as indices of metricsDescs and metricsText; the
// asm reads them (const_msecRseqAddFloat64, ...).
const (
	msecRseqAddFloat64 = iota
	msecAddFloat64
	msecRseqAddPairAt
	msecAddPairAt
	nMetricsSections
)

// metricsText (asm DATA in metrics_amd64.h) holds the entries of the
// functions with a metrics section, metricsDescs their descriptors.
var metricsDescs, metricsText [nMetricsSections]uintptr

var _ = func() int {
	archSections = append(archSections, sectionTable{metricsText[:], metricsDescs[:]})
	archSelfChecks = append(archSelfChecks, selfCheckMetrics)
	return 0
}()

// AddFloat64 adds delta to the float64 at p + s*stride, where s is the
// current slot. In the RSEQ backend it is one critical section: load the
// float64, add delta in an SSE register, store it back (the commit); in the
// Atomic backend a compare-and-swap loop on the bits. It always succeeds.
// Readers that must not miss an add while it runs hold every slot
// (ExclusiveAll) in the RSEQ backend; in the Atomic backend, where adds
// are atomic, an atomic swap of each slot's word is exact.
//
//go:noescape
func AddFloat64(p unsafe.Pointer, stride uintptr, delta float64)

// AddPairAt adds one observation of x to a per-slot histogram:
//
//	i := number of the n float64s at bounds that are < x
//	pair := (*[2]uint64)(p + s*stride + i*16)   // s: the current slot
//	pair[0] += 1                                 // count
//	pair[1] = bits(float(pair[1]) + x)           // sum
//
// n must be even (the asm compares two bounds at a time; pad with +Inf).
// In the RSEQ backend the search runs before the section, and the section
// loads the pair, adds in registers and stores both words with one 16-byte
// store (MOVUPS on amd64, STP on arm64; the pair is 16-byte aligned, so
// the store never straddles a page), so that a reader holding the slots never sees half of an
// observation; in the Atomic backend the update runs under the slot's stop
// word. Readers hold every slot (ExclusiveAll) and may then use plain loads
// and stores. It always succeeds. x is not checked: a NaN is below nothing
// and goes to pair 0 (callers divert NaN themselves).
//
//go:noescape
func AddPairAt(p unsafe.Pointer, stride uintptr, bounds unsafe.Pointer, n uintptr, x float64)

//go:noescape
func rseqAddFloat64(p unsafe.Pointer, stride uintptr, delta float64) uint32

//go:noescape
func rseqAddPairAt(p unsafe.Pointer, stride uintptr, bounds unsafe.Pointer, n uintptr, x float64) uint32

// selfCheckMetrics runs the metrics sections once each on m (zeroed, 256
// bytes per slot) for the init self-check (selfCheckOnce): AddFloat64 of
// 1.5 to the word at 208, and AddPairAt of 1.5 over the bounds {1, 2} to
// the pairs at 224, which must land in pair 1 (at 240). The thread may
// move between the two, so the slots are summed.
func selfCheckMetrics(m Mem) error {
	f, p := unsafe.Add(m.Base(), 208), unsafe.Add(m.Base(), 224)
	if st := Status(rseqAddFloat64(f, m.Stride(), 1.5)); st != OK {
		return fmt.Errorf("addfloat64: %v", st)
	}
	bounds := [2]float64{1, 2}
	if st := Status(rseqAddPairAt(p, m.Stride(), unsafe.Pointer(&bounds), 2, 1.5)); st != OK {
		return fmt.Errorf("addpairat: %v", st)
	}
	var fsum, psum float64
	var n0, n1 uint64
	for s := range nslots {
		w := (*[6]uint64)(unsafe.Add(m.Slot(s), 208))
		fsum += math.Float64frombits(w[0])
		n0, n1 = n0+w[2], n1+w[4]
		psum += math.Float64frombits(w[3]) + math.Float64frombits(w[5])
	}
	if fsum != 1.5 || n0 != 0 || n1 != 1 || psum != 1.5 {
		return fmt.Errorf("metrics sections: float %v, pair counts %d %d, sums %v", fsum, n0, n1, psum)
	}
	return nil
}
