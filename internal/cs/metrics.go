package cs

import (
	"math"
	"sync/atomic"
	"unsafe"

	"github.com/gorseq/rseq/internal/probe"
)

// The metrics primitives (package counter's Float and Histogram): AddFloat64
// and AddPairAt. Their asm sections are in metrics_amd64.h; here
// are their generic (pure-Go) versions, the Atomic backend, and the slow paths the exported
// asm functions jump to.

// addFloat64Generic is the generic version of rseqAddFloat64 for a known slot.
func addFloat64Generic(p unsafe.Pointer, stride uintptr, slot int, delta float64) {
	w := (*uint64)(unsafe.Add(p, uintptr(slot)*stride))
	atomic.StoreUint64(w, math.Float64bits(math.Float64frombits(atomic.LoadUint64(w))+delta))
}

// countBelow returns how many of the n float64s at bounds are below x: the
// search of AddPairAt. The asm compares two at a time (CMPLTPD) and sums the
// masks; a NaN x is below nothing and nothing is below it, so 0.
func countBelow(bounds unsafe.Pointer, n uintptr, x float64) uintptr {
	var i uintptr
	for j := range n {
		if *(*float64)(unsafe.Add(bounds, j*8)) < x {
			i++
		}
	}
	return i
}

// addPairAtGeneric is the generic version of rseqAddPairAt for a known slot. Unlike the
// other generic versions it stores with plain stores: pairs have no lock-free readers
// (readers hold every slot), and the caller holds the slot.
func addPairAtGeneric(p unsafe.Pointer, stride uintptr, slot int, bounds unsafe.Pointer, n uintptr, x float64) {
	w := (*[2]uint64)(unsafe.Add(p, uintptr(slot)*stride+countBelow(bounds, n, x)*16))
	w[0]++
	w[1] = math.Float64bits(math.Float64frombits(w[1]) + x)
}

// addFloat64Slow finishes an AddFloat64 that did not commit on the fast
// path, as addInt64Slow does for AddInt64. The Atomic backend (and a
// platform without the section) adds with a compare-and-swap loop on the
// bits; a remote reset swaps them, with or without the slots stopped.
func addFloat64Slow(p unsafe.Pointer, stride uintptr, delta float64) {
	if !rseqOn || !metricsAsm {
		// The slot is the goroutine's probe, which moves to another slot
		// when the compare-and-swap meets contention (internal/probe).
		pr := probe.For()
		for {
			v := pr.Load()
			w := (*uint64)(unsafe.Add(p, uintptr(pr.Slot(v, nslots))*stride))
			old := atomic.LoadUint64(w)
			if atomic.CompareAndSwapUint64(w, old, math.Float64bits(math.Float64frombits(old)+delta)) {
				return
			}
			pr.Advance(v)
		}
	}
	for {
		if st := Status(rseqAddFloat64(p, stride, delta)); st == OK {
			return
		} else if !retryFast(st) {
			break
		}
	}
	// No rseq on this thread, or too many aborts.
	stuck(func(s int) { addFloat64Generic(p, stride, s, delta) })
}

// addPairAtSlow finishes an AddPairAt that did not commit on the fast
// path. The pair is two words, so the Atomic backend updates it under the
// slot's stop word (a spin lock there), and readers hold every slot's
// (ExclusiveAll): a reader never sees the count without the sum.
func addPairAtSlow(p unsafe.Pointer, stride uintptr, bounds unsafe.Pointer, n uintptr, x float64) {
	for rseqOn && metricsAsm {
		if st := Status(rseqAddPairAt(p, stride, bounds, n, x)); st == OK {
			return
		} else if !retryFast(st) {
			break // no rseq on this thread, or too many aborts
		}
	}
	s := lockProbedSlot()
	if rseqOn && metricsAsm {
		fence(s) // keep this slot's sections out
	}
	addPairAtGeneric(p, stride, s, bounds, n, x)
	unlockSlot(s)
}

// lockProbedSlot sets the stop word of the slot the goroutine's probe
// picks, moving the probe to another slot when that one is held
// (internal/probe), and returns the slot. After a round of failures it
// waits for a slot, as lockSlot does.
func lockProbedSlot() int {
	pr := probe.For()
	for range nslots {
		v := pr.Load()
		s := pr.Slot(v, nslots)
		if atomic.CompareAndSwapUint32(stopWord(s), 0, 1) {
			return s
		}
		pr.Advance(v)
	}
	s := pr.Slot(pr.Load(), nslots)
	lockSlot(s)
	return s
}
