package list

import (
	"sync/atomic"
	"unsafe"

	"github.com/gorseq/rseq/internal/cs"
	"github.com/gorseq/rseq/internal/torture"
)

// Export guts for testing.

// PoolIndexAt is Pool.index for the address at offset off from object 0.
func PoolIndexAt[T any](p *Pool[T], off uintptr) uint { return p.indexAt(off) }

// PoolObjectSize is the distance between two of p's objects.
func PoolObjectSize[T any](p *Pool[T]) uintptr { return p.size }

// Steals returns how many times Pop took values from another slot.
func (l *PerCPU[T]) Steals() uint64 { return l.popSteals.Load() }

// FreeSteals returns how many times Push took free nodes from another slot.
func (l *PerCPU[T]) FreeSteals() uint64 { return l.pushSteals.Load() }

// PushSlot pushes v on slot s's list, wherever the caller runs: the
// kernel selftest's per-CPU lists start with 100 nodes on each CPU.
func (l *PerCPU[T]) PushSlot(s int, v T) bool {
	if !cs.Enabled() {
		ll := l.at
		ll.lockAll()
		defer ll.unlockAll()
		for o := range ll.slots {
			if x, ok := ll.popFree(o); ok {
				l.values[x] = v
				ll.pushUsed(s, x)
				return true
			}
		}
		return false
	}
	x, st := cs.ListPopHere(unsafe.Add(l.base, freeOff), l.stride, nextOff-freeOff, nilNode)
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
		atomic.StoreUint64(l.link(s, x), atomic.LoadUint64(h))
		atomic.StoreUint64(h, x)
	})
	return true
}

// SlotLens returns the number of values on each slot's list.
func (l *PerCPU[T]) SlotLens() []int {
	lens := make([]int, cs.Slots())
	for s := range lens {
		if !cs.Enabled() {
			l.at.slots[s].mu.Lock()
			lens[s] = l.at.countUsed(s)
			l.at.slots[s].mu.Unlock()
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

// SlotListsSize is the size of one slot's lock and heads in the Atomic
// backend of PerCPU.
const SlotListsSize = unsafe.Sizeof(slotLists{})
