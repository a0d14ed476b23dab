package list

import (
	"iter"
	"sync"
	"sync/atomic"
	"unsafe"

	"github.com/gorseq/rseq/internal/cs"
)

// A List is a read-mostly linked list of values of type T, after liburcu's
// RCU lists: readers traverse it with All, without locks, inside one
// read-side section of the list's [RCU] domain; writers (PushFront,
// PushBack, InsertAfter, Remove, Replace) are serialized by a mutex and
// never wait for readers.
//
// Every change is published with one atomic pointer store, so a reader sees
// each element either before or after a change, never half of one. A reader
// that began before a Remove or Replace may still see the old value; one
// that begins after the call returns never does. Readers running at the
// same time as writers may miss elements inserted during their traversal,
// and see a consistent order of the elements they do visit.
//
// # What grace periods buy
//
// The garbage collector already keeps memory safe: a removed element stays
// valid for as long as any reader holds it, without any grace period.
// What it cannot tell is when readers are done with the element's value.
// Call the domain's Synchronize after a Remove or Replace, or pass a
// callback to its Call, when that matters:
//
//   - reuse: a value whose memory is recycled (a pooled buffer, a struct
//     put back into a free list, an element's payload overwritten for its
//     next use) may be rewritten only when no reader can still read it;
//   - external resources: a file, a connection or an off-heap buffer held
//     by a removed value may be closed only when no reader can still use
//     it;
//   - configuration swaps: after Replace(old, newConfig) and Synchronize,
//     no reader still sees the old configuration, so effects that depend on
//     "everyone has switched" (draining, statistics, acknowledging the
//     change) are safe.
//
// Create a List with [New]; the zero List is not usable. A List must not be
// copied after first use.
type List[T any] struct {
	// Read by readers; head changes with writers.
	head atomic.Pointer[Element[T]]
	d    *RCU
	_    [(cs.CacheLine - (unsafe.Sizeof(atomic.Pointer[Element[T]]{})+unsafe.Sizeof((*RCU)(nil)))%cs.CacheLine) % cs.CacheLine]byte

	mu   sync.Mutex  // serializes writers
	tail *Element[T] // guarded by mu
	n    atomic.Int64
}

// An Element is an element of a [List]. Its value never changes once the
// element is in a list.
type Element[T any] struct {
	next  atomic.Pointer[Element[T]] // readers follow it; kept on Remove
	prev  *Element[T]                // writers only, under the list's mu
	list  atomic.Pointer[List[T]]    // the list, or nil once removed
	value T
}

// Value returns the element's value. Values are immutable once published:
// Value may be called at any time, by any goroutine, even after Remove.
func (e *Element[T]) Value() T { return e.value }

// New returns an empty list whose readers use domain d. d may be shared by
// several lists; if d is nil, the list gets a domain of its own (see
// [List.RCU]).
func New[T any](d *RCU) *List[T] {
	if d == nil {
		d = NewRCU()
	}
	return &List[T]{d: d}
}

// RCU returns the list's domain, for Synchronize and Call after a change.
func (l *List[T]) RCU() *RCU { return l.d }

// Len returns the number of elements. It does not wait for writers: with a
// writer running it may be one change behind.
func (l *List[T]) Len() int { return int(l.n.Load()) }

// PushFront inserts v at the front of the list and returns its element.
func (l *List[T]) PushFront(v T) *Element[T] {
	e := &Element[T]{value: v}
	l.mu.Lock()
	l.place(e, nil, l.head.Load())
	l.publish(e, &l.head)
	l.mu.Unlock()
	return e
}

// PushBack inserts v at the back of the list and returns its element.
func (l *List[T]) PushBack(v T) *Element[T] {
	e := &Element[T]{value: v}
	l.mu.Lock()
	l.place(e, l.tail, nil)
	l.publish(e, l.link(e.prev))
	l.mu.Unlock()
	return e
}

// InsertAfter inserts v right after mark and returns its element. It
// returns nil, changing nothing, if mark is not an element of l (never was,
// or has been removed).
func (l *List[T]) InsertAfter(v T, mark *Element[T]) *Element[T] {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.has(mark) {
		return nil
	}
	e := &Element[T]{value: v}
	l.place(e, mark, mark.next.Load())
	l.publish(e, &mark.next)
	return e
}

// has reports whether e (nil or not) is an element of l. l.mu is held.
func (l *List[T]) has(e *Element[T]) bool { return e != nil && e.list.Load() == l }

// place links e, not yet published, between prev and next (nil at either
// end of the list): e's own links, and next's prev or the tail, which only
// writers read. Readers reach e once publish stores it in prev's link.
// l.mu is held.
func (l *List[T]) place(e, prev, next *Element[T]) {
	e.prev = prev
	if next != nil {
		e.next.Store(next)
		next.prev = e
	} else {
		l.tail = e
	}
}

// publish makes e, fully linked, an element of l by storing it at link.
// l.mu is held.
func (l *List[T]) publish(e *Element[T], link *atomic.Pointer[Element[T]]) {
	e.list.Store(l)
	link.Store(e)
	l.n.Add(1)
}

// Remove unlinks e from l and reports whether it was there. Readers that
// are inside a section may still reach e, and e still leads them on to the
// rest of the list; readers that begin after Remove returns do not see e.
// To know when no reader can still hold e's value, call Synchronize on
// l.RCU() or pass a callback to its Call.
func (l *List[T]) Remove(e *Element[T]) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.has(e) {
		return false
	}
	nx := e.next.Load()
	if nx != nil {
		nx.prev = e.prev
	} else {
		l.tail = e.prev
	}
	l.link(e.prev).Store(nx) // e.next stays: readers on e go on from there
	e.prev = nil
	e.list.Store(nil)
	l.n.Add(-1)
	return true
}

// link returns the link that points to the element after prev: prev's
// next, or the head if prev is nil.
func (l *List[T]) link(prev *Element[T]) *atomic.Pointer[Element[T]] {
	if prev == nil {
		return &l.head
	}
	return &prev.next
}

// Replace puts an element with value v in old's place, in one atomic step
// for readers, and returns it: a reader sees either old or the new
// element, never both and never neither. It returns nil, changing nothing,
// if old is not an element of l. old is removed, as with Remove.
func (l *List[T]) Replace(old *Element[T], v T) *Element[T] {
	l.mu.Lock()
	defer l.mu.Unlock()
	if !l.has(old) {
		return nil
	}
	e := &Element[T]{value: v}
	l.place(e, old.prev, old.next.Load())
	e.list.Store(l)
	l.link(old.prev).Store(e)
	old.prev = nil
	old.list.Store(nil)
	return e
}

// All returns an iterator over the values of the list, front to back. The
// whole traversal is one read-side section: it takes no lock and never
// waits, and the loop body runs inside the section, so a long body delays
// grace periods (but never writers), and the body must not call
// Synchronize, Barrier or Close on the list's domain. Stopping the loop
// early, or a panic in the body, ends the section.
func (l *List[T]) All() iter.Seq[T] {
	return func(yield func(T) bool) {
		t := l.d.ReadLock()
		defer l.d.ReadUnlock(t)
		for e := l.head.Load(); e != nil; e = e.next.Load() {
			if !yield(e.value) {
				return
			}
		}
	}
}
