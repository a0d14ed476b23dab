package counter

import (
	"errors"
	"fmt"
	"math"
	"runtime"
	"slices"
	"time"
	"unsafe"

	"github.com/gorseq/rseq/internal/cs"
)

// MaxBuckets is the largest number of bounds NewHistogram accepts (the
// +Inf bucket comes on top).
const MaxBuckets = 1024

// ErrBounds is wrapped by the errors NewHistogram returns for bounds it
// cannot use.
var ErrBounds = errors.New("counter: invalid histogram bounds")

// A Histogram counts observations in buckets with fixed upper bounds, with
// one set of buckets per CPU slot, as Prometheus' histograms do: an
// observation v goes to the first bucket whose bound is >= v, or to the
// implicit +Inf bucket above the last bound, and adds v to the sum.
//
// Each bucket of each slot is a pair {count, sum} of 16 bytes, and Observe
// adds {1, v} to one pair in a single critical section: in the RSEQ
// backend one restartable sequence whose commit is one 16-byte store, in
// the Atomic backend an update under the slot's lock. A snapshot sums the
// pairs, so an observation's count and its contribution to Sum are always
// in the same snapshot, and Count is the sum of Counts by construction.
//
// NaN observations go to no bucket and add nothing to Sum: they are counted
// apart (HistogramSnapshot.NaN). +Inf and -Inf go to the +Inf and first
// bucket and make Sum infinite (or NaN, once both were observed), as in
// Prometheus.
//
// Create histograms with NewHistogram; the zero Histogram is not usable.
// Its per-CPU memory ((len(bounds)+2) x 16 bytes per slot) returns to the
// pool once the Histogram is unreachable. A Histogram must not be copied.
type Histogram struct {
	_      noCopy
	base   unsafe.Pointer // slot 0's pairs (off-heap): bucket i at base+16i, the NaN pair after the +Inf bucket
	stride uintptr        // distance between two slots' pairs
	// tbl is the bounds padded with +Inf to a power of two, for the
	// branch-free search; half is half its length.
	tbl  unsafe.Pointer
	half uintptr
	// n is the number of bounds cs.AddPairAt compares (len(bounds) rounded
	// up to even; the table's +Inf padding counts as above every value),
	// or 0 above maxLinear bounds, where Observe finds the bucket by
	// binary search first.
	n      uintptr
	nan    unsafe.Pointer // slot 0's NaN pair
	bounds []float64      // the bounds as given (a copy)
	keep   []float64      // tbl's backing array
}

// pairSize is the size of a {count, sum} pair.
const pairSize = 16

// maxLinear is the most bounds Observe compares all of (two per SSE
// instruction, in cs.AddPairAt); above it, a binary search in Go picks
// the bucket. See BenchmarkObserveSearch: the linear search measured 2 to
// 2.5x faster from 10 to 60 bounds, even at 100, slower from about 150.
const maxLinear = 128

// NewHistogram returns a Histogram with the given bucket upper bounds. The
// bounds must be finite and strictly increasing, 1 to MaxBuckets of them;
// a last bucket, +Inf, is implicit. Otherwise the error wraps ErrBounds
// and names the offending bound. The bounds are copied.
func NewHistogram(bounds []float64) (*Histogram, error) {
	if len(bounds) == 0 {
		return nil, fmt.Errorf("%w: no bounds (want 1 to %d; the +Inf bucket is implicit)", ErrBounds, MaxBuckets)
	}
	if len(bounds) > MaxBuckets {
		return nil, fmt.Errorf("%w: %d bounds, more than MaxBuckets (%d)", ErrBounds, len(bounds), MaxBuckets)
	}
	for i, b := range bounds {
		switch {
		case math.IsNaN(b):
			return nil, fmt.Errorf("%w: bounds[%d] is NaN", ErrBounds, i)
		case math.IsInf(b, 0):
			return nil, fmt.Errorf("%w: bounds[%d] is %v (bounds must be finite; the +Inf bucket is implicit)", ErrBounds, i, b)
		case i > 0 && b == bounds[i-1]:
			return nil, fmt.Errorf("%w: bounds[%d] = %v duplicates bounds[%d]", ErrBounds, i, b, i-1)
		case i > 0 && b < bounds[i-1]:
			return nil, fmt.Errorf("%w: bounds[%d] = %v is less than bounds[%d] = %v (bounds must increase)", ErrBounds, i, b, i-1, bounds[i-1])
		}
	}
	h := &Histogram{bounds: slices.Clone(bounds)}
	n := 2 // a power of two above len(bounds)
	for n <= len(bounds) {
		n *= 2
	}
	h.keep = make([]float64, n)
	for i := range h.keep {
		h.keep[i] = math.Inf(1)
	}
	copy(h.keep, bounds)
	h.tbl, h.half = unsafe.Pointer(&h.keep[0]), uintptr(n/2)
	m, err := cs.AllocFor(h, uintptr(len(bounds)+2)*pairSize, pairSize)
	if err != nil {
		return nil, fmt.Errorf("counter: NewHistogram with %d bounds: %w", len(bounds), err)
	}
	h.base, h.stride = m.Base(), m.Stride()
	h.nan = unsafe.Add(h.base, uintptr(len(bounds)+1)*pairSize)
	if len(bounds) <= maxLinear {
		h.n = uintptr(len(bounds)+1) &^ 1
	}
	return h, nil
}

// ExponentialBounds returns n bounds start, start*factor, start*factor^2,
// ..., for NewHistogram. start must be positive and finite, factor finite
// and above 1, n in [1, MaxBuckets], and the last bound finite; otherwise
// it panics with a message naming the bad argument.
func ExponentialBounds(start, factor float64, n int) []float64 {
	if !(start > 0) || math.IsInf(start, 0) {
		panic(fmt.Sprintf("counter: ExponentialBounds start %v is not a positive finite number", start))
	}
	if !(factor > 1) || math.IsInf(factor, 0) {
		panic(fmt.Sprintf("counter: ExponentialBounds factor %v is not a finite number above 1", factor))
	}
	if n < 1 || n > MaxBuckets {
		panic(fmt.Sprintf("counter: ExponentialBounds n %d not in [1, %d]", n, MaxBuckets))
	}
	b := make([]float64, n)
	for i := range b {
		b[i] = start * math.Pow(factor, float64(i))
		if math.IsInf(b[i], 0) || (i > 0 && b[i] <= b[i-1]) {
			panic(fmt.Sprintf("counter: ExponentialBounds start %v, factor %v, n %d: bound %d is %v (overflow)", start, factor, n, i, b[i]))
		}
	}
	return b
}

// LinearBounds returns n bounds start, start+width, ..., start+(n-1)*width,
// for NewHistogram. start must be finite, width finite and positive, n in
// [1, MaxBuckets], and the bounds distinct in float64; otherwise it panics
// with a message naming the bad argument.
func LinearBounds(start, width float64, n int) []float64 {
	if math.IsNaN(start) || math.IsInf(start, 0) {
		panic(fmt.Sprintf("counter: LinearBounds start %v is not finite", start))
	}
	if !(width > 0) || math.IsInf(width, 0) {
		panic(fmt.Sprintf("counter: LinearBounds width %v is not a positive finite number", width))
	}
	if n < 1 || n > MaxBuckets {
		panic(fmt.Sprintf("counter: LinearBounds n %d not in [1, %d]", n, MaxBuckets))
	}
	b := make([]float64, n)
	for i := range b {
		b[i] = start + float64(i)*width
		if math.IsInf(b[i], 0) || (i > 0 && b[i] <= b[i-1]) {
			panic(fmt.Sprintf("counter: LinearBounds start %v, width %v, n %d: bound %d is %v (overflow, or width too small for start)", start, width, n, i, b[i]))
		}
	}
	return b
}

const errZeroHistogram = "counter: method called on a zero Histogram; create histograms with counter.NewHistogram"

// Observe counts v in the first bucket whose bound is >= v (the +Inf
// bucket if none) and adds v to the sum; a NaN v is counted as NaN only.
// It is one critical section on the calling thread's slot (see Histogram),
// allocates nothing and never blocks, except for the few microseconds a
// concurrent snapshot holds every slot in the RSEQ backend.
func (h *Histogram) Observe(v float64) {
	t := h.tbl
	if t == nil {
		panic(errZeroHistogram)
	}
	switch {
	case v != v:
		cs.AddPairAt(h.nan, h.stride, nil, 0, 0)
	case h.n != 0:
		// The search runs in the asm, before the section.
		cs.AddPairAt(h.base, h.stride, t, h.n, v)
	default:
		cs.AddPairAt(unsafe.Add(h.base, h.bucket(v)*pairSize), h.stride, nil, 0, v)
	}
	runtime.KeepAlive(h)
}

// bucket returns the number of bounds below v (the index of v's bucket;
// 0 for NaN), by binary lifting over the padded table: a fixed number of
// steps, each a compare and a conditional add (SETcc, no branch that
// depends on v). Observe uses it above maxLinear bounds; below, comparing
// every bound two at a time in the asm measured faster (for 10 to 60
// bounds: see BenchmarkObserveSearch).
func (h *Histogram) bucket(v float64) uintptr {
	t := h.tbl
	i := uintptr(0)
	for step := h.half; step > 0; step >>= 1 {
		// below is 0 or 1 (a SETcc): i += step when the bound is below v.
		below := uintptr(0)
		if *(*float64)(unsafe.Add(t, (i+step-1)*8)) < v {
			below = 1
		}
		i += step & -below
	}
	return i
}

// ObserveDuration observes d in seconds.
func (h *Histogram) ObserveDuration(d time.Duration) { h.Observe(d.Seconds()) }

// Bounds returns a copy of h's bounds.
func (h *Histogram) Bounds() []float64 { return slices.Clone(h.bounds) }

// A HistogramSnapshot is a Histogram's state at one moment.
type HistogramSnapshot struct {
	Bounds []float64 // upper bounds; Counts[len(Bounds)] is the +Inf bucket
	Counts []uint64  // per bucket, not cumulative; len(Bounds)+1
	Count  uint64    // sum of Counts
	Sum    float64   // sum of the observations counted in Counts
	NaN    uint64    // observations that were NaN (in no bucket, not in Count)
}

// Snapshot returns h's counts and sum. It is exact with respect to every
// Observe that returned before Snapshot began, and includes no Observe
// that began after it returned; an Observe concurrent with it is included
// whole (its bucket count and its value in Sum) or not at all. In the RSEQ
// backend it stops every slot (one membarrier fence) while it reads,
// stalling concurrent Observes (and Adds) of every metric for those few
// microseconds; in the Atomic backend it takes every slot's lock.
func (h *Histogram) Snapshot() HistogramSnapshot { return h.snapshot(false) }

// SnapshotAndReset is Snapshot that also sets h to zero, in the same stop:
// every Observe lands in exactly one snapshot (with its count and its
// value together) or in h after it.
func (h *Histogram) SnapshotAndReset() HistogramSnapshot { return h.snapshot(true) }

func (h *Histogram) snapshot(reset bool) HistogramSnapshot {
	if h.tbl == nil {
		panic(errZeroHistogram)
	}
	s := HistogramSnapshot{Bounds: slices.Clone(h.bounds), Counts: make([]uint64, len(h.bounds)+1)}
	cs.ExclusiveAll(func() { s.Sum, s.NaN = h.read(s.Counts, reset) })
	for _, c := range s.Counts {
		s.Count += c
	}
	return s
}

// read adds every slot's bucket counts to counts and returns the sum and
// the NaN count, zeroing the pairs if reset. Every slot must be held
// (cs.ExclusiveAll): the pairs are then read and written with plain memory
// operations.
func (h *Histogram) read(counts []uint64, reset bool) (sum float64, nan uint64) {
	nb := len(h.bounds) + 1
	for s := range nslots {
		p := unsafe.Slice((*[2]uint64)(unsafe.Add(h.base, uintptr(s)*h.stride)), nb+1)
		for i := range nb {
			counts[i] += p[i][0]
			sum += math.Float64frombits(p[i][1])
		}
		nan += p[nb][0]
		if reset {
			clear(p)
		}
	}
	runtime.KeepAlive(h)
	return sum, nan
}

// Quantile estimates the q-quantile of the observations in s as
// Prometheus' histogram_quantile does: it finds the bucket holding the
// observation of rank q*Count and interpolates linearly within it,
// assuming a lower bound of 0 for the first bucket when its bound is
// positive (and returning the first bound when it is not), and returning
// the last finite bound when the rank falls in the +Inf bucket. It returns
// NaN when s has no observation (NaNs do not count), and, as Prometheus
// does, for q = 0 when the first bucket is empty. It panics, naming q,
// unless q is in [0, 1].
func (s HistogramSnapshot) Quantile(q float64) float64 {
	if !(q >= 0 && q <= 1) {
		panic(fmt.Sprintf("counter: Quantile q %v not in [0, 1]", q))
	}
	if len(s.Counts) != len(s.Bounds)+1 || len(s.Bounds) == 0 {
		return math.NaN()
	}
	var total uint64
	for _, c := range s.Counts {
		total += c
	}
	if total == 0 {
		return math.NaN()
	}
	rank := q * float64(total)
	// b is the first finite bucket whose cumulative count reaches rank.
	var cum, prev float64
	b := 0
	for ; b < len(s.Bounds); b++ {
		prev = cum
		cum += float64(s.Counts[b])
		if cum >= rank {
			break
		}
	}
	if b == len(s.Bounds) {
		return s.Bounds[len(s.Bounds)-1]
	}
	if b == 0 && s.Bounds[0] <= 0 {
		return s.Bounds[0]
	}
	start := 0.0
	if b > 0 {
		start = s.Bounds[b-1]
	}
	return start + (s.Bounds[b]-start)*((rank-prev)/(cum-prev))
}
