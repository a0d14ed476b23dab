package counter

import (
	"math"
	"runtime"
	"sync/atomic"
	"unsafe"

	"github.com/gorseq/rseq/internal/cs"
)

// A Float is a float64 counter with one copy per CPU slot, for sums that
// are not integers: seconds spent, bytes in fractions, costs. Add touches
// only the calling thread's slot; Load and Reset visit every slot.
//
// Create Floats with NewFloat; the zero Float is not usable (its methods
// panic), for the reason given at Counter. A Float must not be copied (go
// vet reports copies).
//
// Float addition is not associative: the slots are summed in slot order,
// so Load may differ in the last bits from adding the same deltas in the
// order they happened. Sums of integers (or of multiples of a power of
// two) below 2^53 are exact.
type Float struct {
	_ noCopy
	// p is slot 0's word (the float64's bits) in per-CPU memory; slot s's
	// word is at p + s*stride. Set by NewFloat, never changed.
	p unsafe.Pointer
}

var floats blocks[Float]

// NewFloat returns a Float holding zero. Floats are allocated in blocks of
// 64, as Counters are: 8 bytes of per-CPU memory per slot plus an 8-byte
// header each.
func NewFloat() *Float {
	f, p := floats.next()
	f.p = p
	return f
}

const errZeroFloat = "counter: method called on a zero Float; create Floats with counter.NewFloat"

// Add adds delta to f.
//
// In the RSEQ backend it is one restartable sequence: load the slot's
// float64, add delta in a floating-point register, store it back (the
// commit), with no atomic instruction; threads that cannot use rseq take a
// slow path that is just as exact. In the Atomic backend it is a compare-and-swap
// loop on the bits of a slot chosen by the goroutine. Add never blocks,
// except for the few microseconds a concurrent Reset holds every slot in
// the RSEQ backend.
func (f *Float) Add(delta float64) {
	p := f.p
	if p == nil {
		panic(errZeroFloat)
	}
	cs.AddFloat64(p, stride, delta)
	runtime.KeepAlive(f) // the block must outlive the add; see Counter.Add
}

// Load returns the sum of f's slots, each read atomically: like
// Counter.Load, not a linearizable snapshot while Adds run, exact once they
// stop. It never blocks and writes nothing.
func (f *Float) Load() float64 {
	p := f.p
	if p == nil {
		panic(errZeroFloat)
	}
	var sum float64
	for s := range nslots {
		sum += math.Float64frombits(atomic.LoadUint64((*uint64)(unsafe.Add(p, uintptr(s)*stride))))
	}
	runtime.KeepAlive(f)
	return sum
}

// Reset sets f to zero and returns the value it held. It is exact as
// Counter.Reset is: every Add is part of exactly one Reset's result or of
// the value f holds after it. In the RSEQ backend it stops every slot (one
// membarrier fence) for the duration of the swaps, stalling concurrent
// Adds of every counter for those few microseconds; in the Atomic backend
// it swaps each slot's word atomically and blocks nobody.
func (f *Float) Reset() float64 {
	p := f.p
	if p == nil {
		panic(errZeroFloat)
	}
	var sum float64
	swap := func() {
		for s := range nslots {
			sum += math.Float64frombits(atomic.SwapUint64((*uint64)(unsafe.Add(p, uintptr(s)*stride)), 0))
		}
	}
	if cs.Enabled() {
		cs.ExclusiveAll(swap)
	} else {
		swap()
	}
	runtime.KeepAlive(f)
	return sum
}
