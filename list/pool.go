package list

import (
	"math/bits"
	"strconv"
	"sync"
	"sync/atomic"
	"unsafe"

	"github.com/gorseq/rseq/internal/argerr"
	"github.com/gorseq/rseq/internal/cs"
	"github.com/gorseq/rseq/internal/probe"
)

// Pool is a fixed set of capacity objects of type T, owned by the pool, handed out by Get
// and returned by Put. The objects are allocated once (zeroed) and never freed while the pool
// lives; the garbage collector never empties it. Get and Put are each one critical section on
// the current CPU's stack of object indices; per-CPU memory holds indices only, the objects
// stay in ordinary Go memory (so T may hold pointers).
//
// It is tcmalloc's per-CPU cache in front of a shared depot: each CPU
// keeps a bounded stack of the indices of free objects; Get pops one and
// Put pushes one, each in one critical section that finds the CPU's stack
// by itself. Get and Put are each one call into the section code, which
// the compiler inlines into the caller. Only when that stack is empty (Get) or full (Put) does a call
// take the slow path: it moves a batch of indices between the CPU's stack
// and the depot, a mutex-guarded stack shared by every CPU, with that
// CPU's stack stopped; and when the depot is empty too, Get takes indices
// from another CPU's stack, with that CPU's stack stopped.
//
// # Guarantees
//
// Get returns false only when every object is out: held by callers between
// their Get and their Put (a Put still in progress counts as out). It never
// fails because objects are in flight between CPUs: moves between a CPU's
// stack and the depot happen under the stacks' stop words, and a Get that
// finds nothing checks again with every CPU's stack stopped before it
// reports false. In the Atomic backend the same holds: a Get that finds
// nothing looks again with every slot's lock held. An empty pool is a slow
// path: each Get that returns false stops every CPU's stack (RSEQ backend)
// or takes every slot's lock (Atomic backend).
//
// Put(x) "synchronizes before" the Get that returns x. Get and Put never
// allocate. Put never fails: there is room for every object.
//
// # Misuse
//
// Put panics, naming the pool and the address, when x is nil, is not one
// of the pool's objects, or points inside one rather than at it. Putting
// an object twice without a Get in between hands it out twice; the pool
// detects it where that costs nothing on the fast path:
//
//   - under the race detector, every Get and Put checks a per-object state
//     word, so the second Put panics at once;
//   - otherwise, when indices move from a CPU's stack to the depot (the
//     slow path of Put), each is checked against the depot's per-object
//     marks, so an object put twice panics once both copies have reached
//     the depot. A copy that is handed out again before that is not
//     detected: the two callers then share the object.
//
// Create a Pool with [NewPool]; the zero Pool is not usable. A Pool must
// not be copied after first use.
type Pool[T any] struct{ c pool }

// l must be pool's first field: poolGetSlow and poolPutSlow get &p.l.
var _ [0]struct{} = [unsafe.Offsetof(pool{}.l)]struct{}{}

// pool is Pool without its type: nothing but Get's and Put's conversions
// needs T, so the slow paths are one non-generic function each, which
// cs.PoolGet and cs.PoolPut call through the layout with no closure or
// dictionary in between.
type pool struct {
	// Read-only after NewPool, read by every Get and Put: the objects
	// (l.Objs keeps them alive), l.Size apart (at least 2), and in the
	// RSEQ backend the per-CPU stacks, all for cs.PoolGet and cs.PoolPut,
	// whose slow hooks finish every call they do not (poolGetSlow,
	// poolPutSlow). l is the first field: the hooks find the pool from it.
	l     cs.PoolLayout // first: see poolGetSlow
	span  uintptr       // capacity * size
	at    *lockedLists  // Atomic backend: the free lists only
	state []atomic.Uint32
	n     int
	batch int // indices one move between a stack and the depot carries
	_     [cs.CacheLine]byte

	depot struct {
		sync.Mutex
		idx  []uint32 // free indices; len is the depot's count
		mark []bool   // mark[i]: i is in idx (double-Put detection)
	}
}

// A CPU's stack in per-CPU memory (RSEQ backend): the count of indices,
// then the indices, bottom first.
const (
	stackCount = 0 // uint64
	stackIdx   = 8 // [l.Max]uint32
	// maxSlotCap bounds the indices one CPU's stack holds (4 KiB of
	// indices): tcmalloc's per-CPU caches are of this order.
	maxSlotCap = 1024
)

// NewPool returns a pool of capacity zeroed objects, every one of them in
// the pool. capacity must be in [1, MaxCapacity]; otherwise NewPool
// returns an error wrapping [ErrCapacity] that names the value.
//
// Memory: the objects (at least 2 bytes apart: smaller types are padded),
// plus 4 bytes per object in the depot, and, per CPU slot, a stack of up
// to 1024 indices of 4 bytes in per-CPU memory (RSEQ backend; pages are
// touched only as the stack fills) or one cache line per slot and 8 bytes
// per object (a link and the object's home slot; Atomic backend).
func NewPool[T any](capacity int) (*Pool[T], error) {
	if capacity < 1 || capacity > MaxCapacity {
		return nil, argerr.Range(ErrCapacity, "list: NewPool", "capacity", capacity, 1, MaxCapacity)
	}
	pp := &Pool[T]{}
	p := &pp.c
	p.n = capacity
	var zero T
	if unsafe.Sizeof(zero) < 2 {
		// Tiny objects get padding, so that each has an address of its
		// own.
		type cell struct {
			v T
			_ [2]byte
		}
		b := make([]cell, capacity)
		p.l.Objs, p.l.Size = unsafe.Pointer(&b[0]), unsafe.Sizeof(b[0])
	} else {
		b := make([]T, capacity)
		p.l.Objs, p.l.Size = unsafe.Pointer(&b[0]), unsafe.Sizeof(b[0])
	}
	p.span = uintptr(capacity) * p.l.Size
	shift := bits.TrailingZeros(uint(p.l.Size))
	p.l.Shift, p.l.Inv = uintptr(shift), uintptr(inverse(uint(p.l.Size)>>shift))
	p.l.N = uintptr(capacity)
	p.l.GetSlow, p.l.PutSlow = poolGetSlow, poolPutSlow
	if cs.RaceEnabled {
		p.state = make([]atomic.Uint32, capacity)
	}
	slots := cs.Slots()
	if !cs.Enabled() {
		p.at = newLockedLists(slots, capacity, func(s int) (lo, hi int) {
			return s * capacity / slots, (s + 1) * capacity / slots
		})
		return pp, nil
	}
	p.l.Max = uint64(min(capacity, maxSlotCap))
	p.batch = max(1, int(p.l.Max)/2)
	m, err := cs.AllocFor(pp, stackIdx+uintptr(p.l.Max)*4, cs.CacheLine)
	if err != nil {
		return nil, err
	}
	p.l.Stacks, p.l.Stride = m.Base(), m.Stride()
	p.depot.idx = make([]uint32, capacity)
	p.depot.mark = make([]bool, capacity)
	for i := range capacity {
		p.depot.idx[i] = uint32(capacity - 1 - i) // object 0 on top
		p.depot.mark[i] = true
	}
	return pp, nil
}

// Cap returns the number of objects, in the pool or out.
func (p *Pool[T]) Cap() int { return p.c.n }

// obj returns object i.
func (p *pool) obj(i uint32) unsafe.Pointer { return unsafe.Add(p.l.Objs, uintptr(i)*p.l.Size) }

// Get takes an object out of the pool and returns it and true. The object
// is as the last Put left it (zeroed if it was never out). Get returns nil
// and false when every object is out.
func (p *Pool[T]) Get() (*T, bool) {
	var q unsafe.Pointer
	if cs.RaceEnabled {
		q = poolGetSlow(&p.c.l)
	} else {
		// One call, inlined: the fast path is one section on the
		// current CPU's stack; everything else (the Atomic backend
		// too) comes back through p.c.l.GetSlow, that is poolGetSlow.
		q = cs.PoolGet(&p.c.l)
	}
	return (*T)(q), q != nil
}

// poolGetSlow finishes a Get that cs.PoolGet did not: an empty stack (the
// slow path), a thread or slot where the section cannot run, the Atomic
// backend, or every Get of a race build. It returns nil when every object
// is out.
func poolGetSlow(l *cs.PoolLayout) unsafe.Pointer {
	p := (*pool)(unsafe.Pointer(l)) // l is p's first field
	var i uint32
	var ok bool
	if !cs.Enabled() {
		// The Atomic backend's fast path: the probe's slot's free list,
		// under the slot's lock (see lockedLists); then every list.
		ll := p.at
		pr := probe.For()
		v := pr.Load()
		s := pr.Slot(v, len(ll.slots))
		if !ll.slots[s].mu.TryLock() {
			s = ll.lockContended(pr, v)
		}
		i, ok = ll.popFree(s)
		ll.slots[s].mu.Unlock()
		if !ok {
			i, ok = p.getAtomic()
		}
	} else {
		var st cs.Status
		if i, st = cs.StackPop(p.l.Stacks, p.l.Stride); st == cs.OK {
			ok = true
		} else {
			i, ok = p.getSlow()
		}
	}
	if !ok {
		return nil
	}
	if cs.RaceEnabled {
		p.checkOut(i)
	}
	return p.obj(i)
}

// Put returns x, which must come from p.Get, to the pool. x must not be
// used after Put. Put panics, naming the pool and the address, when x is
// nil, is not one of p's objects or points inside one.
func (p *Pool[T]) Put(x *T) {
	if cs.RaceEnabled {
		poolPutSlow(&p.c.l, unsafe.Pointer(x))
		return
	}
	// One call, inlined: the index by address arithmetic and one section;
	// everything else (a bad pointer, the Atomic backend) comes back
	// through p.c.l.PutSlow, that is poolPutSlow.
	cs.PoolPut(&p.c.l, unsafe.Pointer(x))
}

// index returns x's index when x points at one of p's objects, and a
// number of at least p.n otherwise (cs.PoolIndex: exact division, as
// cs.PoolPut computes it).
func (p *pool) index(x unsafe.Pointer) uint { return uint(cs.PoolIndex(&p.l, x)) }

// inverse returns the inverse of d, which must be odd, modulo 2^UintSize.
func inverse(d uint) uint {
	x := d // correct to 3 bits: d*d = 1 mod 8 for every odd d
	for range 5 {
		x *= 2 - d*x // Newton's step doubles the correct bits: 6, 12, 24, 48, 96
	}
	return x
}

// poolPutSlow finishes a Put that cs.PoolPut did not: a bad pointer (it
// panics), a full stack (the slow path), a thread or slot where the
// section cannot run, the Atomic backend, or every Put of a race build.
func poolPutSlow(l *cs.PoolLayout, x unsafe.Pointer) {
	p := (*pool)(unsafe.Pointer(l)) // l is p's first field
	k := p.index(x)
	if k >= uint(p.n) {
		p.badPut(x)
	}
	i := uint32(k)
	if cs.RaceEnabled {
		p.checkIn(i)
	}
	if !cs.Enabled() {
		// The Atomic backend: i goes to its home's list; when that lock
		// is held, to the list of the first free slot the probe moves
		// to (a later Get takes it from there, and its Put sends it
		// home). Written out here, not called: every Put of this
		// backend comes this way.
		ll := p.at
		s := int(ll.home[i])
		if !ll.slots[s].mu.TryLock() {
			pr := probe.For()
			s = ll.lockContended(pr, pr.Load())
		}
		ll.pushFree(s, i)
		ll.slots[s].mu.Unlock()
		return
	}
	if cs.StackPush(p.l.Stacks, p.l.Stride, i, p.l.Max) != cs.OK {
		p.putSlow(i)
	}
}

// badPut panics for a pointer that is not one of p's objects.
func (p *pool) badPut(x unsafe.Pointer) {
	where := "list: Pool " + hexPtr(unsafe.Pointer(p)) + ": Put("
	if x == nil {
		panic(where + "nil): not an object of the pool")
	}
	a := uintptr(unsafe.Pointer(x))
	off := a - uintptr(p.l.Objs)
	if off >= p.span {
		panic(where + hexPtr(unsafe.Pointer(x)) + "): not an object of the pool (its objects span " +
			hexPtr(p.l.Objs) + " to " + hexAddr(uintptr(p.l.Objs)+p.span) + ")")
	}
	panic(where + hexPtr(unsafe.Pointer(x)) + "): points " + strconv.FormatUint(uint64(off%p.l.Size), 10) +
		" bytes into object " + strconv.FormatUint(uint64(off/p.l.Size), 10) + ", not at it")
}

func hexPtr(q unsafe.Pointer) string { return hexAddr(uintptr(q)) }

func hexAddr(a uintptr) string { return "0x" + strconv.FormatUint(uint64(a), 16) }

// checkOut and checkIn keep the per-object state of race builds: 1 while
// the object is out. They panic on an object handed out twice or put
// twice, and, being atomic, tell the race detector that a Put happens
// before the Get that returns the object.
func (p *pool) checkOut(i uint32) {
	if !p.state[i].CompareAndSwap(0, 1) {
		panic("list: Pool " + hexPtr(unsafe.Pointer(p)) + ": Get handed out object " + hexPtr(unsafe.Pointer(p.obj(i))) +
			" while it was out (it was put twice)")
	}
}

func (p *pool) checkIn(i uint32) {
	if !p.state[i].CompareAndSwap(1, 0) {
		panic("list: Pool " + hexPtr(unsafe.Pointer(p)) + ": Put(" + hexPtr(unsafe.Pointer(p.obj(i))) +
			"): the object is already in the pool (put twice)")
	}
}

func (p *pool) doublePut(i uint32) {
	panic("list: Pool " + hexPtr(unsafe.Pointer(p)) + ": object " + hexPtr(unsafe.Pointer(p.obj(i))) +
		" was put twice (found twice in the pool)")
}

// Len returns the number of objects in the pool now. It is exact when no
// Get or Put runs; with calls running it is approximate. It takes no
// lock but the depot's and stops nothing.
func (p *Pool[T]) Len() int { return p.c.len() }

func (p *pool) len() int {
	if !cs.Enabled() {
		return p.at.count()
	}
	n := 0
	for s := range cs.Slots() {
		n += int(atomic.LoadUint64(p.count(s)))
	}
	p.depot.Lock()
	n += len(p.depot.idx)
	p.depot.Unlock()
	return n
}

// RSEQ backend.

// count returns slot s's stack count; idx returns its index array.
func (p *pool) count(s int) *uint64 {
	return (*uint64)(unsafe.Add(p.l.Stacks, uintptr(s)*p.l.Stride+stackCount))
}

func (p *pool) idx(s int) []uint32 {
	return unsafe.Slice((*uint32)(unsafe.Add(p.l.Stacks, uintptr(s)*p.l.Stride+stackIdx)), p.l.Max)
}

// getSlow runs when the current CPU's stack was empty. With that stack
// stopped, it refills it from the depot; if the depot is empty, it takes
// half of another CPU's stack, with that one stopped; if every stack looked
// empty, it looks once more with every stack stopped, which is exact.
func (p *pool) getSlow() (uint32, bool) {
	s := cs.CurrentSlot()
	var i uint32
	ok := false
	cs.Exclusive(s, func() { i, ok = p.refill(s) })
	if ok {
		return i, true
	}
	slots := cs.Slots()
	for k := 1; k < slots; k++ {
		o := (s + k) % slots
		if atomic.LoadUint64(p.count(o)) == 0 {
			continue
		}
		cs.Exclusive(o, func() { i, ok = p.raid(o) })
		if ok {
			return i, true
		}
	}
	cs.ExclusiveAll(func() {
		for o := range slots {
			if i, ok = p.popLocked(o); ok {
				return
			}
		}
		p.depot.Lock()
		if d := len(p.depot.idx); d > 0 {
			i, ok = p.depot.idx[d-1], true
			p.depot.idx = p.depot.idx[:d-1]
			p.depot.mark[i] = false
		}
		p.depot.Unlock()
	})
	return i, ok
}

// popLocked pops from slot s's stack, which the caller holds stopped.
func (p *pool) popLocked(s int) (uint32, bool) {
	c := atomic.LoadUint64(p.count(s))
	if c == 0 {
		return 0, false
	}
	i := p.idx(s)[c-1]
	atomic.StoreUint64(p.count(s), c-1)
	return i, true
}

// refill, with slot s stopped: pop from s's stack if it has refilled since
// the caller looked; else move a batch from the depot, one index for the
// caller and the rest onto s's stack.
func (p *pool) refill(s int) (uint32, bool) {
	if i, ok := p.popLocked(s); ok {
		return i, true
	}
	p.depot.Lock()
	defer p.depot.Unlock()
	d := len(p.depot.idx)
	if d == 0 {
		return 0, false
	}
	k := min(d, p.batch)
	take := p.depot.idx[d-k:]
	for _, x := range take {
		p.depot.mark[x] = false
	}
	// take[k-1], the depot's top, goes to the caller; the others, the
	// deepest at the bottom, onto the stack (empty: the pop above failed).
	copy(p.idx(s), take[:k-1])
	atomic.StoreUint64(p.count(s), uint64(k-1))
	i := take[k-1]
	p.depot.idx = p.depot.idx[:d-k]
	return i, true
}

// raid, with slot o stopped: take the top half of o's stack, one index for
// the caller and the rest into the depot.
func (p *pool) raid(o int) (uint32, bool) {
	c := atomic.LoadUint64(p.count(o))
	if c == 0 {
		return 0, false
	}
	k := (c + 1) / 2
	stack := p.idx(o)
	i := stack[c-1]
	p.depot.Lock()
	p.toDepot(stack[c-k : c-1])
	p.depot.Unlock()
	atomic.StoreUint64(p.count(o), c-k)
	return i, true
}

// toDepot appends indices to the depot, checking each against the marks.
// The depot is locked.
func (p *pool) toDepot(xs []uint32) {
	for _, x := range xs {
		if p.depot.mark[x] {
			p.depot.Unlock()
			p.doublePut(x)
		}
		p.depot.mark[x] = true
	}
	p.depot.idx = append(p.depot.idx, xs...) // within its capacity: never allocates
}

// putSlow runs when the current CPU's stack was full: with it stopped, it
// moves the bottom half into the depot and pushes i.
func (p *pool) putSlow(i uint32) {
	s := cs.CurrentSlot()
	cs.Exclusive(s, func() {
		c := atomic.LoadUint64(p.count(s))
		stack := p.idx(s)
		if c == p.l.Max {
			// The bottom half goes: the top, put last, is likelier in
			// this CPU's cache, and every index that lingers in a
			// stack reaches the depot's double-Put check in time.
			k := uint64(p.batch)
			p.depot.Lock()
			p.toDepot(stack[:k])
			p.depot.Unlock()
			copy(stack, stack[k:c])
			c -= k
		}
		stack[c] = i
		atomic.StoreUint64(p.count(s), c+1)
	})
}

// The Atomic backend: per slot, a list of free indices behind a spin lock
// (lockedLists). Put (poolPutSlow) returns an index to its home slot's
// list, so that goroutines on different slots keep to different blocks of
// objects (and of links), whichever slot an object was taken from.

// getAtomic finishes a Get whose probe's list was empty (or every Get of
// a race build): it takes an index from the first list that has one,
// each slot's lock in turn from the probe's slot, and when every list was
// empty it looks again with every lock held, which is exact: it reports
// false only when every object was out at that instant.
func (p *pool) getAtomic() (uint32, bool) {
	ll := p.at
	pr := probe.For()
	n := len(ll.slots)
	s := pr.Slot(pr.Load(), n)
	for k := range n {
		o := (s + k) % n
		ll.slots[o].mu.Lock()
		i, ok := ll.popFree(o)
		ll.slots[o].mu.Unlock()
		if ok {
			return i, true
		}
	}
	ll.lockAll()
	defer ll.unlockAll()
	for o := range n {
		if i, ok := ll.popFree(o); ok {
			return i, true
		}
	}
	return 0, false
}
