package counter

import (
	"errors"
	"fmt"
	"runtime"
	"unsafe"

	"github.com/gorseq/rseq/internal/argerr"
	"github.com/gorseq/rseq/internal/cs"
)

// MaxArrayLen is the largest length NewArray accepts: 1<<24 counters, 128
// MiB of per-CPU memory per slot.
const MaxArrayLen = 1 << 24

// ErrArrayLen is wrapped by the error [NewArray] returns for a length out
// of range.
var ErrArrayLen = errors.New("counter: Array length out of range")

// An Array is n counters allocated together, for a metric with labels or a
// histogram's buckets: one item of per-CPU memory holds the n counters
// contiguously in each slot, 8 bytes per counter per slot. Each element
// behaves as a [Counter], with the same guarantees for Add, Load and Reset.
//
// The per-CPU memory returns to the pool once the Array is unreachable. An
// Array must not be copied after first use (go vet reports copies).
type Array struct {
	_      noCopy
	base   unsafe.Pointer // slot 0's copy of element 0 (off-heap)
	stride uintptr        // distance between two slots' copies
	n      int
}

// NewArray returns an Array of n counters holding zero. n must be in
// [1, MaxArrayLen]; otherwise the error wraps [ErrArrayLen] and names n.
// It also fails, naming n, if the per-CPU memory cannot be mapped.
func NewArray(n int) (*Array, error) {
	if n < 1 || n > MaxArrayLen {
		return nil, argerr.Range(ErrArrayLen, "counter: NewArray", "n", n, 1, MaxArrayLen)
	}
	a := &Array{n: n}
	m, err := cs.AllocFor(a, uintptr(n)*8, 8)
	if err != nil {
		return nil, fmt.Errorf("counter: NewArray: n %d: %w", n, err)
	}
	a.base, a.stride = m.Base(), m.Stride()
	return a, nil
}

// Len returns the number of counters in a.
func (a *Array) Len() int { return a.n }

// Add adds delta to counter i, as [Counter.Add] does. It panics if i is out
// of range [0, Len()), with a message naming i and the length.
func (a *Array) Add(i int, delta int64) {
	cs.AddInt64(a.elem(i), a.stride, delta)
	runtime.KeepAlive(a) // the memory must outlive the add; see Counter.Add
}

// Load returns the sum of counter i's slots, as [Counter.Load] does: not a
// linearizable snapshot while Adds run. It panics if i is out of range.
func (a *Array) Load(i int) int64 {
	v := sumSlots(a.elem(i), a.stride)
	runtime.KeepAlive(a)
	return v
}

// Reset sets counter i to zero and returns the value it held, exactly under
// concurrent Adds, as [Counter.Reset] does (stalling the Adds of every
// counter for a few microseconds in the RSEQ backend). It panics if i is
// out of range.
func (a *Array) Reset(i int) int64 {
	v := resetSlots(a.elem(i), a.stride)
	runtime.KeepAlive(a)
	return v
}

// elem returns counter i's word in slot 0, after checking i.
func (a *Array) elem(i int) unsafe.Pointer {
	if uint(i) >= uint(a.n) {
		panic(IndexError{i, a.n})
	}
	return unsafe.Add(a.base, uintptr(i)*8)
}

// IndexError is what the methods of Array panic with when given an index
// out of range. Like the runtime's index errors, it is a runtime.Error.
type IndexError struct {
	Index, Len int
}

func (e IndexError) Error() string {
	return fmt.Sprintf("counter: Array index %d out of range [0, %d)", e.Index, e.Len)
}

// RuntimeError marks IndexError as a runtime.Error.
func (IndexError) RuntimeError() {}
