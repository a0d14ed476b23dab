package list

import (
	"errors"
	"strconv"
	"sync/atomic"
	"unsafe"

	"github.com/gorseq/rseq/internal/cs"
	"github.com/gorseq/rseq/lockfree"
)

// MaxCapacity is the largest capacity [NewPerCPU] accepts.
const MaxCapacity = 1 << 24

// ErrCapacity is returned, wrapped, by [NewPerCPU] when the capacity is
// below 1 or above [MaxCapacity].
var ErrCapacity = errors.New("list: capacity out of range")

// capacityError names the bad capacity; it wraps ErrCapacity.
type capacityError struct{ val int }

func (e *capacityError) Error() string {
	return "list: NewPerCPU capacity " + strconv.Itoa(e.val) + " out of range [1, " + strconv.Itoa(MaxCapacity) + "]"
}

func (e *capacityError) Unwrap() error { return ErrCapacity }

// A PerCPU is a per-CPU last-in first-out list of values of type T with a
// fixed total capacity: the object cache that per-CPU allocators keep in
// front of a shared pool. Push puts a value on the list of the CPU the
// caller runs on and Pop takes the value pushed last there, so that a value
// is usually taken again on the CPU that cached it, and goroutines on
// different CPUs do not touch the same memory.
//
// The capacity is shared: a CPU with no room left takes free nodes from
// the other CPUs, and Pop on a CPU whose list is empty takes values from
// another CPU's list. Only then does an operation touch another CPU's
// memory, through the slow path that stops that CPU's list for a moment.
//
// All methods are safe for concurrent use. Push and Pop allocate nothing.
// A PerCPU holds its values in ordinary Go memory, so T may be anything,
// pointers included; per-CPU memory only holds node indices.
//
// Order is per CPU and approximate: a goroutine that moves to another CPU
// between two calls sees another list. Push(v) "synchronizes before" the
// Pop that returns v.
//
// Create a PerCPU with [NewPerCPU]; the zero PerCPU is not usable.
type PerCPU[T any] struct {
	// Read-only after NewPerCPU.
	base   unsafe.Pointer // slot 0's per-CPU memory (RSEQ backend)
	stride uintptr        // distance between two slots' copies
	values []T            // values[node], len capacity; written by the node's owner only

	// Atomic backend: per-slot stacks of node indices.
	used, free []*lockfree.IndexStack

	_ [cs.CacheLine]byte // keeps the slow-path counters off the hot line
	// Successful steals, for tests: of values by Pop, of free nodes by Push.
	popSteals, pushSteals atomic.Uint64
}

// Per-slot memory of the RSEQ backend: a header line with the heads of the
// slot's two lists, then the slot's links. A node is on at most one list
// of one slot at a time, or owned by exactly one Push or Pop in progress;
// its link in slot s's array is written only by its owner, when it pushes
// the node on one of slot s's lists, so every slot keeps a link for every
// node and a section on slot s reads and writes slot s's memory only.
const (
	usedOff = 0              // head of the list of nodes holding values
	freeOff = 8              // head of the list of free nodes
	nextOff = cs.CacheLine   // next[n] links
	hdrSize = cs.CacheLine   // header size
	linkLen = 8              // bytes per link
	nilNode = ^uint64(0)     // ends a list: no node has this index
	maxPass = 2 * stealBatch // nodes a steal walks to size its batch
)

// stealBatch bounds the nodes one steal moves: half the victim's list, at
// most this many, so that the next few operations on this CPU find work
// without another steal, and the victim's list is stopped only briefly.
const stealBatch = 32

// NewPerCPU returns an empty list that holds at most capacity values, over
// every CPU together. capacity must be in [1, MaxCapacity]; otherwise
// NewPerCPU returns an error wrapping [ErrCapacity] that names the value.
// The free nodes start spread evenly over the CPUs.
//
// Memory: the values, plus, for every CPU slot, 8 bytes of links per node
// in per-CPU memory (RSEQ backend; pages are touched only as nodes visit
// that CPU) or two stacks of 4 bytes per node (Atomic backend).
func NewPerCPU[T any](capacity int) (*PerCPU[T], error) {
	if capacity < 1 || capacity > MaxCapacity {
		return nil, &capacityError{capacity}
	}
	l := &PerCPU[T]{values: make([]T, capacity)}
	slots := cs.Slots()
	share := func(s int) (lo, hi int) { return s * capacity / slots, (s + 1) * capacity / slots }
	if !cs.Enabled() {
		l.used = make([]*lockfree.IndexStack, slots)
		l.free = make([]*lockfree.IndexStack, slots)
		for s := range slots {
			var err error
			if l.used[s], err = lockfree.NewIndexStack(capacity); err != nil {
				return nil, err
			}
			if l.free[s], err = lockfree.NewIndexStack(capacity); err != nil {
				return nil, err
			}
			lo, hi := share(s)
			for x := hi - 1; x >= lo; x-- {
				l.free[s].Push(uint32(x))
			}
		}
		return l, nil
	}
	m, err := cs.AllocFor(l, hdrSize+uintptr(capacity)*linkLen, cs.CacheLine)
	if err != nil {
		return nil, err
	}
	l.base, l.stride = m.Base(), m.Stride()
	for s := range slots {
		lo, hi := share(s)
		free := nilNode
		for x := hi - 1; x >= lo; x-- {
			atomic.StoreUint64(l.link(s, uint64(x)), free)
			free = uint64(x)
		}
		atomic.StoreUint64(l.head(s, usedOff), nilNode)
		atomic.StoreUint64(l.head(s, freeOff), free)
	}
	return l, nil
}

// slot returns slot s's per-CPU memory.
func (l *PerCPU[T]) slot(s int) unsafe.Pointer { return unsafe.Add(l.base, uintptr(s)*l.stride) }

// head returns the head of one of slot s's lists (off is usedOff or freeOff).
func (l *PerCPU[T]) head(s int, off uintptr) *uint64 {
	return (*uint64)(unsafe.Add(l.slot(s), off))
}

// links returns slot s's link array.
func (l *PerCPU[T]) links(s int) unsafe.Pointer { return unsafe.Add(l.slot(s), nextOff) }

// link returns node x's link in slot s's array.
func (l *PerCPU[T]) link(s int, x uint64) *uint64 {
	return (*uint64)(unsafe.Add(l.slot(s), nextOff+uintptr(x)*linkLen))
}

// Push puts v on the current CPU's list. It returns false, leaving the list
// unchanged, when all capacity nodes hold values or are held by Push and Pop
// calls in progress. When the current CPU has no free node left, Push takes
// a batch of free nodes from another CPU first (the slow path).
func (l *PerCPU[T]) Push(v T) bool {
	if !cs.Enabled() {
		return l.pushAtomic(v)
	}
	s, x, ok := l.take(freeOff, &l.pushSteals)
	if !ok {
		return false
	}
	// x is ours alone until the push below publishes it.
	cs.RaceAcquire(unsafe.Pointer(&l.values[x]))
	l.values[x] = v
	cs.RaceRelease(unsafe.Pointer(&l.values[x]))
	l.pushNode(s, usedOff, x)
	return true
}

// Pop removes the value pushed last on the current CPU's list and returns it
// and true. When that list is empty it takes a batch of values from another
// CPU's list (the slow path) and returns one of them. It returns the zero T
// and false when it found every CPU's list empty; a value whose Push is
// still in progress may be missed.
func (l *PerCPU[T]) Pop() (T, bool) {
	if !cs.Enabled() {
		return l.popAtomic()
	}
	s, x, ok := l.take(usedOff, &l.popSteals)
	if !ok {
		var zero T
		return zero, false
	}
	p := unsafe.Pointer(&l.values[x])
	cs.RaceAcquire(p)
	v := l.values[x]
	var zero T
	l.values[x] = zero // keep nothing alive for the garbage collector
	cs.RaceRelease(p)
	l.pushNode(s, freeOff, x)
	return v, true
}

// take pops a node off the current slot's list at off (usedOff for Pop,
// freeOff for Push) or, when that list is empty, steals one from another
// slot's, counting the steal in steals. The node is the caller's. It
// returns the slot it last found the caller on.
func (l *PerCPU[T]) take(off uintptr, steals *atomic.Uint64) (int, uint64, bool) {
	s := cs.CurrentSlot()
	for {
		x, st := cs.ListPop(s, l.head(s, off), l.links(s), nilNode)
		switch st {
		case cs.OK:
			return s, x, true
		case cs.Moved:
			s = cs.CurrentSlot()
			continue
		}
		x, ok := l.steal(s, off)
		if ok {
			steals.Add(1)
		}
		return s, x, ok
	}
}

// pushNode pushes node x, which the caller owns, on the list at off of the
// current slot, trying slot s first.
func (l *PerCPU[T]) pushNode(s int, off uintptr, x uint64) {
	for {
		h := l.head(s, off)
		old := atomic.LoadUint64(h)
		switch cs.CmpStoreStore(s, h, old, l.link(s, x), old, x) {
		case cs.OK:
			return
		case cs.Moved:
			s = cs.CurrentSlot()
		}
	}
}

// steal takes a batch of nodes off the list at off of another slot, for a
// caller on slot s whose own list is empty, and returns one of them, owned
// by the caller. The rest go on the current slot's list. It returns false
// when every slot's list was empty. Slot s itself is tried last: the
// caller may have moved, or the list refilled, since it looked.
func (l *PerCPU[T]) steal(s int, off uintptr) (uint64, bool) {
	slots := cs.Slots()
	for i := 1; i <= slots; i++ {
		o := (s + i) % slots
		if atomic.LoadUint64(l.head(o, off)) == nilNode {
			continue // empty: no need to stop it
		}
		first, last, ok := l.detach(o, off)
		if !ok {
			continue
		}
		if first != last {
			// The batch below the first node goes on our own list.
			l.splice(o, off, atomic.LoadUint64(l.link(o, first)), last)
		}
		return first, true
	}
	return 0, false
}

// detach takes the first half (at most stealBatch nodes) of slot o's list at
// off, with slot o stopped. The nodes stay chained, first to last, through
// slot o's links, which nobody else writes while the caller owns them.
func (l *PerCPU[T]) detach(o int, off uintptr) (first, last uint64, ok bool) {
	cs.Exclusive(o, func() {
		h := l.head(o, off)
		first = atomic.LoadUint64(h)
		if first == nilNode {
			return
		}
		// Count up to maxPass nodes, then take half of them.
		n := 1
		for x := atomic.LoadUint64(l.link(o, first)); x != nilNode && n < maxPass; x = atomic.LoadUint64(l.link(o, x)) {
			n++
		}
		last = first
		for range (n+1)/2 - 1 {
			last = atomic.LoadUint64(l.link(o, last))
		}
		atomic.StoreUint64(h, atomic.LoadUint64(l.link(o, last)))
		ok = true
	})
	return first, last, ok
}

// splice pushes the chain first..last, owned by the caller and linked
// through slot o's links, on the list at off of the current slot. The links
// between the chain's nodes are copied into the current slot's array
// first, then one section publishes the chain.
func (l *PerCPU[T]) splice(o int, off uintptr, first, last uint64) {
	for {
		s := cs.CurrentSlot()
		if s != o {
			for x := first; x != last; {
				nx := atomic.LoadUint64(l.link(o, x))
				atomic.StoreUint64(l.link(s, x), nx)
				x = nx
			}
		}
		h := l.head(s, off)
		old := atomic.LoadUint64(h)
		if cs.CmpStoreStore(s, h, old, l.link(s, last), old, first) == cs.OK {
			return
		}
	}
}

// Len returns the number of values on the lists. It counts each CPU's list
// with that list stopped, one after another, so it is exact when no Push or
// Pop runs at the same time and approximate otherwise. It is a slow path:
// it walks every list and, in the RSEQ backend, stops each CPU's list for
// the time of its walk. Use it for tests and monitoring, not per operation.
func (l *PerCPU[T]) Len() int {
	n := 0
	if !cs.Enabled() {
		for _, u := range l.used {
			n += u.Len()
		}
		return n
	}
	for s := range cs.Slots() {
		cs.Exclusive(s, func() { n += l.count(s, usedOff) })
	}
	return n
}

// count walks slot s's list at off; the caller holds the slot.
func (l *PerCPU[T]) count(s int, off uintptr) int {
	n := 0
	// The bound keeps a damaged list from being walked forever.
	for x := atomic.LoadUint64(l.head(s, off)); x != nilNode && n < len(l.values); x = atomic.LoadUint64(l.link(s, x)) {
		n++
	}
	return n
}

// The Atomic backend: the same lists as lock-free tagged stacks of indices,
// one pair per slot, the slot a hint that spreads goroutines.

func (l *PerCPU[T]) pushAtomic(v T) bool {
	s := cs.CurrentSlot()
	x, ok := l.free[s].Pop()
	if !ok {
		if x, ok = stealAtomic(l.free, s); !ok {
			return false
		}
		l.pushSteals.Add(1)
	}
	l.values[x] = v
	l.used[s].Push(x)
	return true
}

func (l *PerCPU[T]) popAtomic() (T, bool) {
	s := cs.CurrentSlot()
	x, ok := l.used[s].Pop()
	if !ok {
		if x, ok = stealAtomic(l.used, s); !ok {
			var zero T
			return zero, false
		}
		l.popSteals.Add(1)
	}
	v := l.values[x]
	var zero T
	l.values[x] = zero
	l.free[s].Push(x)
	return v, true
}

// stealAtomic pops a node from the first other slot's stack that has one.
func stealAtomic(stacks []*lockfree.IndexStack, s int) (uint32, bool) {
	for i := 1; i < len(stacks); i++ {
		if x, ok := stacks[(s+i)%len(stacks)].Pop(); ok {
			return x, true
		}
	}
	return 0, false
}
