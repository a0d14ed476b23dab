package lockfree

import (
	"strconv"
	"sync/atomic"
	"unsafe"

	"github.com/gorseq/rseq/internal/argerr"
)

// An IndexStack is a last-in first-out stack of the indices 0 through n-1,
// each present at most once, for any number of goroutines. It is the free
// list of an object pool whose objects live in a slice: Pop hands out the
// index of a free object, Push returns it. Push and Pop allocate nothing,
// are lock-free and are linearizable; Pop on an empty stack reports false
// at once.
//
// It is a Treiber stack threaded through an array of n next links. The
// head packs the top index and a 32-bit tag into one 64-bit word that is
// compare-and-swapped as a unit. Every successful Push and Pop increments
// the tag, which defeats the ABA problem: a Pop that loaded the head, and
// the link below it, fails its compare-and-swap if any other Push or Pop
// succeeded in between, even one that left the same index on top. The tag
// wraps after 2³² successful operations; a Pop delayed across exactly a
// multiple of that many others could be fooled, which this package deems
// impossible in practice.
//
// Push(i) "synchronizes before" the Pop that returns i.
//
// Create an IndexStack with [NewIndexStack]; the zero IndexStack is not
// usable. An IndexStack must not be copied after first use.
type IndexStack struct {
	_ [cacheLine]byte // keeps head off the line of whatever precedes s

	// head is tag<<32 | top, with top == nilIndex when the stack is empty.
	// size counts the indices on the stack; it is updated after head and so
	// lags it. Both change on every operation and share a line.
	head atomic.Uint64
	size atomic.Int32
	_    [(cacheLine - (unsafe.Sizeof(atomic.Uint64{})+unsafe.Sizeof(atomic.Int32{}))%cacheLine) % cacheLine]byte

	// next[i] is the index below i while i is on the stack. The slice is
	// read-only after NewIndexStack; its elements are written by Push.
	next []atomic.Uint32
}

// nilIndex marks the bottom of the stack. MaxCapacity keeps it out of the
// range of valid indices.
const nilIndex = ^uint32(0)

// NewIndexStack returns an empty stack for the indices 0 through n-1. n must
// be in [1, MaxCapacity]; otherwise NewIndexStack returns an error wrapping
// [ErrCapacity]. To start with every index free, push them all:
//
//	for i := range n {
//		s.Push(uint32(i))
//	}
func NewIndexStack(n int) (*IndexStack, error) {
	if n < 1 || n > MaxCapacity {
		return nil, argerr.Range(ErrCapacity, "lockfree: NewIndexStack", "n", n, 1, MaxCapacity)
	}
	s := &IndexStack{next: make([]atomic.Uint32, n)}
	s.head.Store(uint64(nilIndex))
	return s, nil
}

// Push puts index i on top of the stack. It panics if i is not below the n
// given to [NewIndexStack]. The caller must own i: pushing an index that
// is already on the stack corrupts it, as freeing memory twice would.
func (s *IndexStack) Push(i uint32) {
	if i >= uint32(len(s.next)) {
		panic("lockfree: IndexStack.Push index " + strconv.FormatUint(uint64(i), 10) +
			" out of range [0, " + strconv.Itoa(len(s.next)) + ")")
	}
	for {
		old := s.head.Load()
		s.next[i].Store(uint32(old))
		if s.head.CompareAndSwap(old, (old>>32+1)<<32|uint64(i)) {
			s.size.Add(1)
			return
		}
	}
}

// Pop removes the index on top of the stack and returns it and true. It
// returns 0 and false when the stack is empty.
func (s *IndexStack) Pop() (uint32, bool) {
	for {
		old := s.head.Load()
		top := uint32(old)
		if top == nilIndex {
			return 0, false
		}
		// If top is popped and pushed again before the CAS below, this
		// link may be stale; the tag then makes the CAS fail.
		below := s.next[top].Load()
		if s.head.CompareAndSwap(old, (old>>32+1)<<32|uint64(below)) {
			s.size.Add(-1)
			return top, true
		}
	}
}

// Len returns the number of indices on the stack. It is exact only when no
// Push or Pop runs concurrently; otherwise it is approximate, as the count
// is updated just after each operation takes effect. It is always in
// [0, Cap].
func (s *IndexStack) Len() int {
	return min(max(int(s.size.Load()), 0), len(s.next))
}

// Cap returns n, the number of distinct indices the stack can hold.
func (s *IndexStack) Cap() int { return len(s.next) }
