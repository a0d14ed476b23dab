package list

import (
	"errors"
	"reflect"
	"sync/atomic"
	"unsafe"
	"weak"

	"github.com/gorseq/rseq/internal/argerr"
	"github.com/gorseq/rseq/internal/cs"
	"github.com/gorseq/rseq/internal/probe"
)

// MaxCapacity is the largest capacity [NewPerCPU] and [NewPool] accept.
const MaxCapacity = 1 << 24

// ErrCapacity is returned, wrapped, by [NewPerCPU] and [NewPool] when the
// capacity is below 1 or above [MaxCapacity].
var ErrCapacity = errors.New("list: capacity out of range")

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
// # When Push and Pop fail
//
// Push returns false only when the list is full: capacity values are in
// the list or held by callers between their Pop and their Push (a Push in
// progress holds the node it fills). It never fails because free nodes are
// in flight between CPUs: nodes move between two CPUs' lists with both
// lists stopped, and a Push that finds no free node looks again with every
// CPU's list stopped, waiting for a concurrent move to finish (moves are
// bounded and short) before it reports false. Pop returns false only when
// the list holds no value whose Push completed before Pop began (values
// whose Push is still in progress may be missed). The Atomic backend gives
// the same guarantees: it looks again with every slot's lock held. Either
// false is a slow path: it stops every CPU's list (RSEQ backend) or takes
// every slot's lock (Atomic backend) for a moment.
//
// All methods are safe for concurrent use. Push and Pop allocate nothing.
// A PerCPU holds its values in ordinary Go memory, so T may be anything,
// pointers included; per-CPU memory only holds node indices.
//
// # Popped values and the garbage collector
//
// In the RSEQ backend, for a T of at most 4096 bytes (and not under the
// race detector), Pop is one critical section, and one call that inlines
// into its caller: it copies the value out and leaves the copy in the node
// it frees: clearing it in the same critical section would need a pointer
// store without Go's write barrier. For a T with pointers, this stale copy
// keeps what it points to reachable until a Push reuses the node or the
// list's cleaner clears it. The cleaner is a runtime cleanup, not a
// goroutine: once per garbage collection cycle it clears the value of
// every free node, with every CPU slot stopped for the walk (about 2.5 ns
// per free node on a Xeon, 2.3 ms for a million). Push and Pop wait
// meanwhile, as do the sections of the other per-CPU structures on those
// slots (they divert to their slow paths).
//
// A value that Pop returned stays reachable from the list at most until
// the first cleaner pass that begins after the Pop. A pass is queued by
// the first collection that starts after the previous pass ended, and runs
// when the runtime runs cleanups. So when the runtime keeps up, a popped
// value that the program drops is unreachable from the list after at most
// two collections that start after the Pop, and freed by the next. The
// other cases (the Atomic backend, the race detector, a larger T) clear
// the value in Pop.
//
// Order is per CPU and approximate: a goroutine that moves to another CPU
// between two calls sees another list. Push(v) "synchronizes before" the
// Pop that returns v.
//
// Create a PerCPU with [NewPerCPU]; the zero PerCPU is not usable.
type PerCPU[T any] struct {
	// Read-only after NewPerCPU.
	// lay, first (see perCPUPopSlow): the RSEQ backend's lists for the
	// entry points of cs (PerCPUPop, PerCPUClaim, PerCPUPublish); its
	// PopSlow is set in both backends. lay.Copy is the size of T when Pop
	// is one section that copies the value out to Pop's stack and moves
	// the node to the free list (T of at most cs.MaxMemcpy bytes, no race
	// detector: the free list then has links of its own), leaving the
	// value's copy in the free node (see stale); otherwise it is above
	// cs.MaxMemcpy, every Pop takes perCPUPopSlow, and Pop clears the
	// value itself.
	//
	// lay.Base is slot 0's per-CPU memory (usedOff is 0), lay.Stride the
	// distance between two slots' copies, and lay.LinksB the offset of
	// the free list's links in a slot's memory: nextOff (the links the
	// value list uses) unless Pop copies (lay.Copy).
	lay    cs.PerCPULayout
	values []T // values[node], len capacity; written by the node's owner only
	// stale: T holds pointers and Pop leaves them in free nodes, so a
	// cleaner clears the free nodes' values once per garbage collection
	// (percpu_clean.go).
	stale bool
	// cleans counts the cleaner's passes, each once it has armed the next
	// one, for tests.
	cleans atomic.Uint64

	// Atomic backend: per slot, a stack of values behind a spin lock.
	at []slotStack

	_ [cs.CacheLine]byte // keeps the slow-path counters off the hot line
	// Successful steals, for tests: of values by Pop, of free nodes by Push.
	popSteals, pushSteals atomic.Uint64
}

// Per-slot memory of the RSEQ backend: a header line with the heads of the
// slot's two lists, then the slot's links (for a T without pointers, the
// value list's links, then the free list's). A node is on at most one list
// of one slot at a time, or owned by exactly one Push or Pop in progress;
// its link in slot s's array is written only by its owner, when it pushes
// the node on one of slot s's lists (or by the section that moves it from
// one list to the other, in the other list's links), so every slot keeps
// a link for every node and a section on slot s reads and writes slot s's
// memory only.
const (
	usedOff = 0              // head of the list of nodes holding values
	freeOff = 8              // head of the list of free nodes
	nextOff = cs.CacheLine   // next[n] links
	hdrSize = cs.CacheLine   // header size
	linkLen = 8              // bytes per link
	nilNode = ^uint64(0)     // ends a list: no node has this index
	maxPass = 2 * stealBatch // nodes a steal walks to size its batch
)

// lay.Base is slot 0's memory itself: the value list's head is at its start.
var _ [0]struct{} = [usedOff]struct{}{}

// stealBatch bounds the nodes one steal moves: half the victim's list, at
// most this many, so that the next few operations on this CPU find work
// without another steal, and the victim's list is stopped only briefly.
const stealBatch = 32

// NewPerCPU returns an empty list that holds at most capacity values, over
// every CPU together. capacity must be in [1, MaxCapacity]; otherwise
// NewPerCPU returns an error wrapping [ErrCapacity] that names the value.
// The free nodes start spread evenly over the CPUs.
//
// Memory: the values, plus, in the RSEQ backend, for every CPU slot, 16
// bytes of links per node in per-CPU memory, 8 under the race detector or
// when T is larger than 4096 bytes (pages are touched only as nodes visit
// that CPU); in the Atomic backend, one cache line per slot.
func NewPerCPU[T any](capacity int) (*PerCPU[T], error) {
	if capacity < 1 || capacity > MaxCapacity {
		return nil, argerr.Range(ErrCapacity, "list: NewPerCPU", "capacity", capacity, 1, MaxCapacity)
	}
	l := &PerCPU[T]{values: make([]T, capacity)}
	l.lay.PopSlow = perCPUPopSlow[T]
	slots := cs.Slots()
	share := func(s int) (lo, hi int) { return s * capacity / slots, (s + 1) * capacity / slots }
	if !cs.Enabled() {
		l.lay.PopSlow = perCPUPopAtomic[T] // every Pop comes here: one call less
		l.at = newSlotStacks(slots, share)
		return l, nil
	}
	links := uintptr(capacity) * linkLen
	freeNext := uintptr(nextOff)
	var zero T
	pair := !cs.RaceEnabled && unsafe.Sizeof(zero) <= cs.MaxMemcpy
	if pair {
		freeNext = nextOff + links
	}
	m, err := cs.AllocFor(l, hdrSize+links+(freeNext-nextOff), cs.CacheLine)
	if err != nil {
		return nil, err
	}
	l.lay.Base, l.lay.Stride = m.Base(), m.Stride()
	l.lay.LinksA, l.lay.LinksB = nextOff, freeNext
	l.lay.Values, l.lay.Size = unsafe.Pointer(unsafe.SliceData(l.values)), unsafe.Sizeof(zero)
	l.lay.Copy = cs.MaxMemcpy + 1 // every Pop takes perCPUPopSlow
	if pair {
		l.lay.Copy = unsafe.Sizeof(zero)
		l.stale = hasPointers(reflect.TypeFor[T]())
	}
	for s := range slots {
		lo, hi := share(s)
		free := nilNode
		for x := hi - 1; x >= lo; x-- {
			atomic.StoreUint64(l.link(s, freeOff, uint64(x)), free)
			free = uint64(x)
		}
		atomic.StoreUint64(l.head(s, usedOff), nilNode)
		atomic.StoreUint64(l.head(s, freeOff), free)
	}
	if l.stale {
		armCleaner(weak.Make(l))
	}
	return l, nil
}

// slot returns slot s's per-CPU memory.
func (l *PerCPU[T]) slot(s int) unsafe.Pointer {
	return unsafe.Add(l.lay.Base, uintptr(s)*l.lay.Stride)
}

// head returns the head of one of slot s's lists (off is usedOff or freeOff).
func (l *PerCPU[T]) head(s int, off uintptr) *uint64 {
	return (*uint64)(unsafe.Add(l.slot(s), off))
}

// next returns the offset of the links of the list at off in a slot's
// memory.
func (l *PerCPU[T]) next(off uintptr) uintptr {
	if off == freeOff {
		return l.lay.LinksB
	}
	return nextOff
}

// link returns node x's link in slot s's links of the list at off.
func (l *PerCPU[T]) link(s int, off uintptr, x uint64) *uint64 {
	return (*uint64)(unsafe.Add(l.slot(s), l.next(off)+uintptr(x)*linkLen))
}

// hasPointers reports whether a value of type t holds Go pointers.
func hasPointers(t reflect.Type) bool {
	switch t.Kind() {
	case reflect.Array:
		return t.Len() > 0 && hasPointers(t.Elem())
	case reflect.Struct:
		for i := range t.NumField() {
			if hasPointers(t.Field(i).Type) {
				return true
			}
		}
		return false
	case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
		reflect.Float32, reflect.Float64, reflect.Complex64, reflect.Complex128:
		return false
	}
	return true // pointers, slices, strings, maps, channels, functions, interfaces
}

// Push puts v on the current CPU's list. It returns false, leaving the list
// unchanged, only when the list is full (see [PerCPU]). When the current
// CPU has no free node left, Push takes a batch of free nodes from another
// CPU first (the slow path).
func (l *PerCPU[T]) Push(v T) bool {
	if !cs.Enabled() {
		return l.pushAtomic(v)
	}
	// Two sections: the first takes a free node of the current slot and
	// returns its value's address, the second puts the node on the slot's
	// value list. In between the node is ours alone, and Go code writes
	// the value, with its write barrier.
	p, x := cs.PerCPUClaim(&l.lay)
	if p == nil {
		return l.pushSlow(v)
	}
	cs.RaceAcquire(p)
	*(*T)(p) = v
	cs.RaceRelease(p)
	cs.PerCPUPublish(&l.lay, x)
	return true
}

// pushSlow is Push once the claim section did not take a node: the current
// slot's free list was empty (or the section could not run: no rseq on
// this thread, a stopped slot, the abort bound; ListPopHere finishes
// those).
func (l *PerCPU[T]) pushSlow(v T) bool {
	x, st := cs.ListPopHere(unsafe.Add(l.lay.Base, freeOff), l.lay.Stride, l.lay.LinksB-freeOff, nilNode)
	if st != cs.OK {
		var ok bool
		if x, ok = l.steal(freeOff, &l.pushSteals); !ok {
			return false
		}
	}
	// x is ours alone until the push below publishes it.
	cs.RaceAcquire(unsafe.Pointer(&l.values[x]))
	l.values[x] = v
	cs.RaceRelease(unsafe.Pointer(&l.values[x]))
	cs.PerCPUPublish(&l.lay, x)
	return true
}

// Pop removes the value pushed last on the current CPU's list and returns it
// and true. When that list is empty it takes a batch of values from another
// CPU's list (the slow path) and returns one of them. It returns the zero T
// and false only when the list holds no value whose Push completed before
// Pop began (see [PerCPU]).
func (l *PerCPU[T]) Pop() (T, bool) {
	// One call, which inlines into the caller. In the RSEQ backend, with
	// lay.Copy, it is one section: the value copied out to v, the node
	// moved to the free list; everything else, the Atomic backend
	// included, is perCPUPopSlow, called from the section's exit. The
	// copy needs no write barrier: v is a variable on the caller's stack
	// (its address goes only to cs.PerCPUPop, which does not keep it, so
	// the compiler keeps v on the stack), and the value stays in the node,
	// so the garbage collector still finds it there. Its stale copy is
	// overwritten, with Go's write barrier, by the Push that takes the
	// node next, or by the cleaner.
	var v T
	ok := cs.PerCPUPop(&l.lay, unsafe.Pointer(&v))
	return v, ok
}

// perCPUPopSlow is lay's PopSlow: every Pop that the section did not
// finish. It stores the value through dst, Pop's v, with Go's barriers.
func perCPUPopSlow[T any](lay *cs.PerCPULayout, dst unsafe.Pointer) bool {
	l := (*PerCPU[T])(unsafe.Pointer(lay)) // lay is l's first field
	v, ok := l.popSlow()
	*(*T)(dst) = v
	return ok
}

// perCPUPopAtomic is lay's PopSlow in the Atomic backend, where every Pop
// takes it.
func perCPUPopAtomic[T any](lay *cs.PerCPULayout, dst unsafe.Pointer) bool {
	v, ok := (*PerCPU[T])(unsafe.Pointer(lay)).popAtomic()
	*(*T)(dst) = v
	return ok
}

// popSlow is Pop without the one-call fast path.
func (l *PerCPU[T]) popSlow() (T, bool) {
	if !cs.Enabled() {
		return l.popAtomic()
	}
	if l.lay.Copy <= cs.MaxMemcpy {
		// The section found the list empty or could not run; the
		// general move-copy finishes the cases it could not run.
		var v T
		d := cs.ListPair{Base: l.lay.Base, Stride: l.lay.Stride, LinksA: l.lay.LinksA, LinksB: l.lay.LinksB,
			Values: l.lay.Values, Size: l.lay.Size}
		if cs.ListMoveCopy(&d, unsafe.Pointer(&v)) == cs.OK {
			return v, true
		}
		return l.popOther()
	}
	x, st := cs.ListPopHere(unsafe.Add(l.lay.Base, usedOff), l.lay.Stride, nextOff-usedOff, nilNode)
	if st != cs.OK {
		return l.popOther()
	}
	p := unsafe.Pointer(&l.values[x])
	cs.RaceAcquire(p)
	v := l.values[x]
	var zero T
	l.values[x] = zero // keep nothing alive for the garbage collector
	cs.RaceRelease(p)
	cs.ListPushHere(unsafe.Add(l.lay.Base, freeOff), l.lay.Stride, l.lay.LinksB-freeOff, x)
	return v, true
}

// popOther finishes a Pop whose list was empty: it steals a node, takes its
// value and pushes the node on the current slot's free list.
func (l *PerCPU[T]) popOther() (T, bool) {
	x, ok := l.steal(usedOff, &l.popSteals)
	if !ok {
		var zero T
		return zero, false
	}
	p := unsafe.Pointer(&l.values[x])
	cs.RaceAcquire(p)
	v := l.values[x]
	var zero T
	l.values[x] = zero
	cs.RaceRelease(p)
	cs.ListPushHere(unsafe.Add(l.lay.Base, freeOff), l.lay.Stride, l.lay.LinksB-freeOff, x)
	return v, true
}

// steal runs when the current slot's list at off (usedOff for Pop, freeOff
// for Push) was empty. It moves a batch of nodes from another slot's list
// to the current slot's, with both stopped, and returns one of them, owned
// by the caller, counting the steal in steals. Nodes are never outside a
// list but in a caller's hands, so when every other list looked empty, one
// look with every slot stopped is exact: steal reports false only when
// every slot's list at off was empty at that instant.
func (l *PerCPU[T]) steal(off uintptr, steals *atomic.Uint64) (uint64, bool) {
	s := cs.CurrentSlot()
	slots := cs.Slots()
	var x uint64
	ok := false
	for i := 1; i < slots; i++ {
		o := (s + i) % slots
		if atomic.LoadUint64(l.head(o, off)) == nilNode {
			continue // empty: no need to stop it
		}
		cs.ExclusivePair(o, s, func() { x, ok = l.move(o, s, off) })
		if ok {
			steals.Add(1)
			return x, true
		}
	}
	cs.ExclusiveAll(func() {
		for o := range slots {
			if x, ok = l.popLocked(o, off); ok {
				return
			}
		}
	})
	return x, ok
}

// popLocked pops the first node of slot o's list at off; the caller holds
// slot o stopped.
func (l *PerCPU[T]) popLocked(o int, off uintptr) (uint64, bool) {
	h := l.head(o, off)
	x := atomic.LoadUint64(h)
	if x == nilNode {
		return 0, false
	}
	atomic.StoreUint64(h, atomic.LoadUint64(l.link(o, off, x)))
	return x, true
}

// move takes the first half (at most stealBatch nodes) of slot o's list at
// off: the first node for the caller, the others onto slot s's list, their
// links copied into slot s's array. The caller holds both slots stopped.
func (l *PerCPU[T]) move(o, s int, off uintptr) (uint64, bool) {
	first, ok := l.popLocked(o, off)
	if !ok {
		return 0, false
	}
	h := l.head(o, off)
	// Count up to maxPass nodes, then take half of them.
	n := 0
	for x := atomic.LoadUint64(h); x != nilNode && n < maxPass; x = atomic.LoadUint64(l.link(o, off, x)) {
		n++
	}
	k := n / 2 // nodes for slot s, besides the caller's
	if k == 0 {
		return first, true
	}
	top := atomic.LoadUint64(h)
	last := top
	for range k - 1 {
		nx := atomic.LoadUint64(l.link(o, off, last))
		atomic.StoreUint64(l.link(s, off, last), nx)
		last = nx
	}
	atomic.StoreUint64(h, atomic.LoadUint64(l.link(o, off, last)))
	hs := l.head(s, off)
	atomic.StoreUint64(l.link(s, off, last), atomic.LoadUint64(hs))
	atomic.StoreUint64(hs, top)
	return first, true
}

// Len returns the number of values on the lists. It counts each CPU's list
// with that list stopped, one after another, so it is exact when no Push or
// Pop runs at the same time and approximate otherwise. It is a slow path:
// it walks every list and, in the RSEQ backend, stops each CPU's list for
// the time of its walk. Use it for tests and monitoring, not per operation.
func (l *PerCPU[T]) Len() int {
	if !cs.Enabled() {
		return l.lenAtomic()
	}
	n := 0
	for s := range cs.Slots() {
		cs.Exclusive(s, func() { n += l.count(s, usedOff) })
	}
	return n
}

// count walks slot s's list at off; the caller holds the slot.
func (l *PerCPU[T]) count(s int, off uintptr) int {
	n := 0
	// The bound keeps a damaged list from being walked forever.
	for x := atomic.LoadUint64(l.head(s, off)); x != nilNode && n < len(l.values); x = atomic.LoadUint64(l.link(s, off, x)) {
		n++
	}
	return n
}

// The Atomic backend: per slot, a stack of values behind a spin lock
// (slotStack), the slot the caller's probe's. A slot's values sit in its
// own block of l.values and never move; a Push whose slot is full puts
// its value on another slot's stack, a Pop whose slot is empty takes
// another slot's top value, as the RSEQ backend's steals do, one value at
// a time.

// pushAtomic and popAtomic take the probe's slot's lock written out, and
// keep what they need in locals, so that the compiler loads each field
// once: the Go code around the two locked instructions is most of what a
// pair costs beyond them. When the lock is held they hand the operation
// to a function of its own (pushContended, popContended), called last, so
// that nothing is kept across that call and the fast path stores nothing
// before its locked instruction.

func (l *PerCPU[T]) pushAtomic(v T) bool {
	pr := probe.For()
	pv := pr.Load()
	sts := l.at
	s := pr.Slot(pv, len(sts))
	st := &sts[s]
	if !st.mu.TryLock() {
		return l.pushContended(v, pr, pv)
	}
	n := st.len
	if n == st.cap {
		st.mu.Unlock()
		return l.pushAway(v, s)
	}
	l.values[st.lo+n] = v
	st.len = n + 1
	st.mu.Unlock()
	return true
}

func (l *PerCPU[T]) popAtomic() (T, bool) {
	pr := probe.For()
	pv := pr.Load()
	sts := l.at
	s := pr.Slot(pv, len(sts))
	st := &sts[s]
	if !st.mu.TryLock() {
		return l.popContended(pr, pv)
	}
	n := st.len
	if n == 0 {
		st.mu.Unlock()
		return l.popAway(s)
	}
	n--
	p := &l.values[st.lo+n]
	v := *p
	var zero T
	*p = zero // keep nothing alive for the garbage collector
	st.len = n
	st.mu.Unlock()
	return v, true
}

// put pushes v on st's stack, whose lock the caller holds; it reports
// false, changing nothing, when the stack is full.
func (l *PerCPU[T]) put(st *slotStack, v T) bool {
	if st.len == st.cap {
		return false
	}
	l.values[st.lo+st.len] = v
	st.len++
	return true
}

// take pops the top value of st's stack, whose lock the caller holds; ok
// is false when the stack is empty.
func (l *PerCPU[T]) take(st *slotStack) (v T, ok bool) {
	if st.len == 0 {
		return v, false
	}
	st.len--
	p := &l.values[st.lo+st.len]
	v = *p
	var zero T
	*p = zero
	return v, true
}

// pushContended is pushAtomic once the probe's slot was found locked.
func (l *PerCPU[T]) pushContended(v T, pr probe.Probe, pv uint32) bool {
	s := lockContended(l.at, (*slotStack).lock, pr, pv)
	st := &l.at[s]
	ok := l.put(st, v)
	st.mu.Unlock()
	if ok {
		return true
	}
	return l.pushAway(v, s)
}

// popContended is popAtomic once the probe's slot was found locked.
func (l *PerCPU[T]) popContended(pr probe.Probe, pv uint32) (T, bool) {
	s := lockContended(l.at, (*slotStack).lock, pr, pv)
	st := &l.at[s]
	v, ok := l.take(st)
	st.mu.Unlock()
	if ok {
		return v, true
	}
	return l.popAway(s)
}

// pushAway finishes a Push whose slot s was full: it puts v on another
// slot's stack, trying each slot's lock in turn. When every other stack
// was full it looks again with every lock held, which is exact: it
// reports false only when every slot was full at that instant.
func (l *PerCPU[T]) pushAway(v T, s int) bool {
	sts := l.at
	n := len(sts)
	for k := 1; k < n; k++ {
		st := &sts[(s+k)%n]
		st.mu.Lock()
		ok := l.put(st, v)
		st.mu.Unlock()
		if ok {
			l.pushSteals.Add(1)
			return true
		}
	}
	lockAll(sts, (*slotStack).lock)
	defer unlockAll(sts, (*slotStack).lock)
	for o := range sts {
		if l.put(&sts[o], v) {
			return true
		}
	}
	return false
}

// popAway finishes a Pop whose slot s was empty: it takes the top value
// of another slot's stack, trying each slot's lock in turn. When every
// other stack was empty it looks again with every lock held, which is
// exact: it reports false only when every slot was empty at that instant.
func (l *PerCPU[T]) popAway(s int) (T, bool) {
	sts := l.at
	n := len(sts)
	for k := 1; k < n; k++ {
		st := &sts[(s+k)%n]
		st.mu.Lock()
		v, ok := l.take(st)
		st.mu.Unlock()
		if ok {
			l.popSteals.Add(1)
			return v, true
		}
	}
	lockAll(sts, (*slotStack).lock)
	defer unlockAll(sts, (*slotStack).lock)
	for o := range sts {
		if v, ok := l.take(&sts[o]); ok {
			return v, true
		}
	}
	var zero T
	return zero, false
}

// lenAtomic counts the values of every slot, one slot's lock at a time.
func (l *PerCPU[T]) lenAtomic() int {
	n := 0
	for s := range l.at {
		st := &l.at[s]
		st.mu.Lock()
		n += int(st.len)
		st.mu.Unlock()
	}
	return n
}
