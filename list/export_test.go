package list

import (
	"sync/atomic"
	"unsafe"

	"github.com/gorseq/rseq/internal/cs"
	"github.com/gorseq/rseq/internal/probe"
	"github.com/gorseq/rseq/internal/torture"
)

// Export guts for testing.

// PoolIndexAt is Pool.index for the address at offset off from object 0.
func PoolIndexAt[T any](p *Pool[T], off uintptr) uint { return uint(cs.PoolIndexAt(&p.c.l, off)) }

// PoolObjectSize is the distance between two of p's objects.
func PoolObjectSize[T any](p *Pool[T]) uintptr { return p.c.l.Size }

// Steals returns how many times Pop took values from another slot.
func (l *PerCPU[T]) Steals() uint64 { return l.popSteals.Load() }

// FreeSteals returns how many times Push took free nodes from another slot
// (in the Atomic backend: put its value on another slot's stack).
func (l *PerCPU[T]) FreeSteals() uint64 { return l.pushSteals.Load() }

// PushSlot pushes v on slot s's list, wherever the caller runs: the
// kernel selftest's per-CPU lists start with 100 nodes on each CPU. In
// the Atomic backend a slot holds at most its share of the capacity: when
// slot s is full, v goes on the next slot after s with room.
func (l *PerCPU[T]) PushSlot(s int, v T) bool {
	if !cs.Enabled() {
		lockAll(l.at, (*slotStack).lock)
		defer unlockAll(l.at, (*slotStack).lock)
		for k := range l.at {
			if l.put(&l.at[(s+k)%len(l.at)], v) {
				return true
			}
		}
		return false
	}
	x, st := cs.ListPopHere(unsafe.Add(l.lay.Base, freeOff), l.lay.Stride, l.lay.LinksB-freeOff, nilNode)
	ok := st == cs.OK
	if !ok {
		if x, ok = l.steal(freeOff, &l.pushSteals); !ok {
			return false
		}
	}
	l.values[x] = v
	cs.RaceRelease(unsafe.Pointer(&l.values[x]))
	cs.Exclusive(s, func() {
		h := l.head(s, usedOff)
		atomic.StoreUint64(l.link(s, usedOff, x), atomic.LoadUint64(h))
		atomic.StoreUint64(h, x)
	})
	return true
}

// SlotLens returns the number of values on each slot's list.
func (l *PerCPU[T]) SlotLens() []int {
	lens := make([]int, cs.Slots())
	for s := range lens {
		if !cs.Enabled() {
			l.at[s].mu.Lock()
			lens[s] = int(l.at[s].len)
			l.at[s].mu.Unlock()
			continue
		}
		cs.Exclusive(s, func() { lens[s] = l.count(s, usedOff) })
	}
	return lens
}

// CallbackGoroutines returns the number of goroutines running callbacks,
// over every domain.
func CallbackGoroutines() int64 { return callbackGoroutines.Load() }

// The Layout functions are alike on purpose: unsafe.Offsetof needs each
// field written out, so they cannot share code.

func PerCPULayout() torture.Layout {
	var l PerCPU[int]
	return torture.Layout{Size: unsafe.Sizeof(l), Offsets: map[string]uintptr{
		"at":     unsafe.Offsetof(l.at),
		"steals": unsafe.Offsetof(l.popSteals),
	}}
}

func RCULayout() torture.Layout {
	var d RCU
	return torture.Layout{Size: unsafe.Sizeof(d), Offsets: map[string]uintptr{
		"cur":    unsafe.Offsetof(d.cur),
		"stride": unsafe.Offsetof(d.stride),
		"gp":     unsafe.Offsetof(d.gp),
	}}
}

func ListLayout() torture.Layout {
	var l List[int]
	return torture.Layout{Size: unsafe.Sizeof(l), Offsets: map[string]uintptr{
		"head": unsafe.Offsetof(l.head),
		"d":    unsafe.Offsetof(l.d),
		"mu":   unsafe.Offsetof(l.mu),
	}}
}

// SlotListsSize and SlotStackSize are the sizes of one slot's lock and
// data in the Atomic backend of Pool and of PerCPU.
const (
	SlotListsSize = unsafe.Sizeof(slotLists{})
	SlotStackSize = unsafe.Sizeof(slotStack{})
)

// ProbeLists is the Atomic backend's per-slot lists, for tests of how the
// goroutines' probes spread over the slots.
type ProbeLists struct{ ll *lockedLists }

// NewProbeLists returns lists over the given number of slots.
func NewProbeLists(slots int) ProbeLists {
	return ProbeLists{newLockedLists(slots, slots, func(s int) (int, int) { return s, s + 1 })}
}

// Slot returns the slot whose lock a Push or Pop with probe pr tries first.
func (p ProbeLists) Slot(pr probe.Probe) int { return pr.Slot(pr.Load(), len(p.ll.slots)) }

// Enter takes a slot's lock as Push and Pop do with probe pr (moving the
// probe when the lock is held), releases it, and returns the slot.
func (p ProbeLists) Enter(pr probe.Probe) int {
	v := pr.Load()
	s := pr.Slot(v, len(p.ll.slots))
	if !p.ll.slots[s].mu.TryLock() {
		s = p.ll.lockContended(pr, v)
	}
	p.ll.slots[s].mu.Unlock()
	return s
}

// Hold and Release take and release slot s's lock, as a goroutine inside
// a Push or Pop on slot s holds it.
func (p ProbeLists) Hold(s int)    { p.ll.slots[s].mu.Lock() }
func (p ProbeLists) Release(s int) { p.ll.slots[s].mu.Unlock() }

// PushAway and PopAway run the Atomic backend's slow paths of Push and
// Pop as after the caller found slot s full (empty): the other slots, each
// lock in turn, then the look with every lock held.
func (l *PerCPU[T]) PushAway(s int, v T) bool { return l.pushAway(v, s) }
func (l *PerCPU[T]) PopAway(s int) (T, bool)  { return l.popAway(s) }

// HoldSlot takes slot s's lock in the Atomic backend and returns what a
// holder may do: put a value on slot s's stack (false when full), and
// release the lock.
func (l *PerCPU[T]) HoldSlot(s int) (put func(T) bool, release func()) {
	st := &l.at[s]
	st.mu.Lock()
	return func(v T) bool { return l.put(st, v) }, st.mu.Unlock
}

// TakeSlot pops the top value of slot s's stack in the Atomic backend,
// under its lock.
func (l *PerCPU[T]) TakeSlot(s int) (T, bool) {
	st := &l.at[s]
	st.mu.Lock()
	defer st.mu.Unlock()
	return l.take(st)
}

// PoolHome returns the home slot of x, one of p's objects, in the Atomic
// backend.
func PoolHome[T any](p *Pool[T], x *T) int {
	return int(p.c.at.home[p.c.index(unsafe.Pointer(x))])
}

// PoolHoldSlot takes slot s's lock in the Atomic backend of p and returns
// what a holder may do: take the top object of slot s's stack (nil when
// empty), and release the lock.
func PoolHoldSlot[T any](p *Pool[T], s int) (take func() *T, release func()) {
	ll := p.c.at
	ll.slots[s].mu.Lock()
	return func() *T {
		if i, ok := ll.popFree(s); ok {
			return (*T)(p.c.obj(i))
		}
		return nil
	}, ll.slots[s].mu.Unlock
}
