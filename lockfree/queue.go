package lockfree

import (
	"math/bits"
	"sync/atomic"
	"unsafe"

	"github.com/gorseq/rseq/internal/argerr"
)

// A Queue is a bounded first-in first-out queue of values of type T for any
// number of producers and consumers. It is Dmitry Vyukov's bounded MPMC
// queue: a ring of slots, each carrying a sequence number that tells
// producers and consumers whose turn it is, so that a Push or a Pop costs
// one compare-and-swap on a shared position and one atomic store to the
// slot's sequence number.
//
// Successful Pushes and Pops are linearizable; Push and Pop never wait for
// another goroutine. The queue is not strictly lock-free, however: a
// producer preempted between claiming a slot and filling it delays the
// consumers of that slot, and of every slot behind it, until it runs again.
// See [Queue.Push] and [Queue.Pop] for when they report false.
//
// A successful Push(v) "synchronizes before" the Pop that returns v.
//
// Create a Queue with [NewQueue]; the zero Queue is not usable. A Queue must
// not be copied after first use.
type Queue[T any] struct {
	_ [cacheLine]byte // keeps tail off the line of whatever precedes q

	// tail is the position the next Push claims; only producers write it.
	tail atomic.Uint64
	_    [(cacheLine - unsafe.Sizeof(atomic.Uint64{})%cacheLine) % cacheLine]byte

	// head is the position the next Pop claims; only consumers write it.
	head atomic.Uint64
	_    [(cacheLine - unsafe.Sizeof(atomic.Uint64{})%cacheLine) % cacheLine]byte

	// slots and mask are read-only after NewQueue, so this line stays
	// shared in every core's cache.
	slots []slot[T]
	mask  uint64 // len(slots) - 1; len(slots) is a power of two
}

// A slot holds one element and the sequence number that says whose turn it
// is. For the position pos that maps to the slot (pos & mask), seq is
//
//	2*pos     when the slot is free for the Push at pos,
//	2*pos + 1 when it holds the element pushed at pos, ready for the Pop at pos.
//
// The Pop at pos frees the slot for the Push at pos+Cap by storing
// 2*(pos+Cap). Doubling keeps the two states apart even when Cap is 1,
// where Vyukov's original encoding (pos and pos+1) would confuse them.
// Positions are 64-bit and never wrap in practice.
type slot[T any] struct {
	seq atomic.Uint64
	val T
}

// NewQueue returns an empty queue that holds up to capacity elements,
// rounded up to a power of two; [Queue.Cap] reports the rounded value. All
// slots are allocated at once. capacity must be in [1, MaxCapacity];
// otherwise NewQueue returns an error wrapping [ErrCapacity].
func NewQueue[T any](capacity int) (*Queue[T], error) {
	if capacity < 1 || capacity > MaxCapacity {
		return nil, argerr.Range(ErrCapacity, "lockfree: NewQueue", "capacity", capacity, 1, MaxCapacity)
	}
	n := 1 << bits.Len(uint(capacity-1))
	q := &Queue[T]{slots: make([]slot[T], n), mask: uint64(n - 1)}
	for i := range q.slots {
		q.slots[i].seq.Store(2 * uint64(i))
	}
	return q, nil
}

// Push adds v at the tail of the queue and reports whether it did.
//
// Push reports false, leaving the queue unchanged, when the queue is full.
// It also reports false when the slot v would take is still being emptied:
// a Pop has removed the element pushed Cap positions before v but has not
// yet returned. The queue then holds fewer than Cap elements.
//
// Push never waits for another goroutine. It retries only when another
// Push claimed the same position first.
func (q *Queue[T]) Push(v T) bool {
	ok, _ := q.TryPush(v)
	return ok
}

// TryPush is [Queue.Push] that also reports whether it lost a race to
// another Push on the way (contended), for callers that spread their
// producers over several queues and move a producer that meets contention
// to another queue.
func (q *Queue[T]) TryPush(v T) (ok, contended bool) {
	pos := q.tail.Load()
	for {
		s := &q.slots[pos&q.mask]
		switch d := int64(s.seq.Load() - 2*pos); {
		case d == 0:
			// The slot is free for pos; claim pos.
			if q.tail.CompareAndSwap(pos, pos+1) {
				s.val = v
				s.seq.Store(2*pos + 1)
				return true, contended
			}
		case d < 0:
			// The element Cap positions back is still in the slot,
			// or its Pop has not finished with it.
			return false, contended
		}
		// Another Push took pos; start again from the current tail.
		contended = true
		pos = q.tail.Load()
	}
}

// Pop removes the element at the head of the queue and returns it and true.
// The slot it occupied is cleared, so the queue keeps no reference to the
// element.
//
// Pop reports false, returning the zero T, when the queue is empty. It also
// reports false when the Push of the head element has claimed its slot but
// not yet stored the element and returned. Elements behind it, even those
// whose Push has returned, stay out of reach until that Push finishes.
//
// Pop never waits for another goroutine. It retries only when another Pop
// claimed the same position first.
func (q *Queue[T]) Pop() (T, bool) {
	pos := q.head.Load()
	for {
		s := &q.slots[pos&q.mask]
		switch d := int64(s.seq.Load() - (2*pos + 1)); {
		case d == 0:
			// The slot holds the element pushed at pos; claim pos.
			if q.head.CompareAndSwap(pos, pos+1) {
				v := s.val
				var zero T
				s.val = zero
				s.seq.Store(2 * (pos + q.mask + 1))
				return v, true
			}
		case d < 0:
			// Nothing pushed at pos yet, or its Push is unfinished.
			var zero T
			return zero, false
		}
		// Another Pop took pos; start again from the current head.
		pos = q.head.Load()
	}
}

// Len returns the number of elements in the queue, counting those whose
// Push or Pop is in progress. It is exact only when no Push or Pop runs
// concurrently; otherwise it is approximate and may still count elements
// popped while Len ran. It is always in [0, Cap].
func (q *Queue[T]) Len() int {
	head := q.head.Load()
	tail := q.tail.Load() // loaded second, so tail >= head
	n := tail - head
	if n > q.mask+1 {
		n = q.mask + 1
	}
	return int(n)
}

// Cap returns the number of elements the queue can hold: the capacity given
// to [NewQueue], rounded up to a power of two.
func (q *Queue[T]) Cap() int { return len(q.slots) }
