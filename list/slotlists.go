package list

import (
	"github.com/gorseq/rseq/internal/cs"
	"github.com/gorseq/rseq/internal/probe"
	"github.com/gorseq/rseq/internal/spin"
)

// The Atomic backend of PerCPU and Pool: per slot, one spin lock, taken
// with one atomic swap and released with a plain store (internal/spin),
// guarding plain data: PerCPU's stack of values (slotStack), Pool's stack
// of free object indices (slotLists). A Push, Pop, Get or Put is then one
// locked instruction, where two lock-free stacks took two.
//
// Which slot a goroutine locks is its probe (internal/probe): when the
// lock is taken it tries another slot and moves its probe there, as Java's
// LongAdder rehashes on contention, so goroutines that collide spread out,
// and a holder that was preempted only sends the others elsewhere. After
// one try of every slot's lock a caller waits for one.
//
// Each slot owns a fixed block of consecutive values (PerCPU) or has a
// block of indices as its home (Pool), its share of the capacity, so
// goroutines on different slots keep to different cache lines. PerCPU's
// values never move between slots: a Push whose slot is full puts its
// value on another slot's stack, and a Pop whose slot is empty takes the
// top value of another slot's stack. Pool's Put returns an index to its
// home unless that lock is held.
//
// When a slot's stack is full (Push) or empty (Pop, Get), the caller tries
// the other slots, each lock in turn, and when none had room (or a value)
// it takes every slot's lock, in slot order, and looks again: that look
// is exact, as issue 18's contract in PerCPU's doc demands. Only that look
// holds more than one lock, and it takes them in one order, so no caller
// waits for a lock while holding one that another waiter needs.

// slotStack is one slot's lock and stack of PerCPU values, on a cache line
// of its own: the stack is values[lo, lo+len), with room for cap values.
// len is guarded by the lock; lo and cap are read-only.
type slotStack struct {
	mu  spin.Lock
	len uint32
	lo  uint32
	cap uint32
	_   [cs.CacheLine - 16]byte
}

func (st *slotStack) lock() *spin.Lock { return &st.mu }

// newSlotStacks returns the empty stacks of the given slots, slot s's
// block being share(s).
func newSlotStacks(slots int, share func(s int) (lo, hi int)) []slotStack {
	sts := make([]slotStack, slots)
	for s := range sts {
		lo, hi := share(s)
		sts[s].lo, sts[s].cap = uint32(lo), uint32(hi-lo)
	}
	return sts
}

// noIndex ends a list: no node has this index.
const noIndex = ^uint32(0)

// slotLists is one of Pool's slots: its lock and the top of its stack of
// free indices, on a cache line of their own; free is guarded by the lock.
type slotLists struct {
	mu   spin.Lock
	free uint32 // top of the free indices' stack; noIndex when empty
	_    [cs.CacheLine - 8]byte
}

func (sl *slotLists) lock() *spin.Lock { return &sl.mu }

// lockedLists is every slot's stack of free indices over [0, len(next)).
type lockedLists struct {
	slots []slotLists
	next  []uint32 // next[x]: the node below x on its list; guarded by that list's lock
	home  []uint32 // home[x]: x's home slot; read-only
}

// newLockedLists returns the stacks of n indices over the given slots,
// every index free on its home's stack: slot s's share.
func newLockedLists(slots, n int, share func(s int) (lo, hi int)) *lockedLists {
	ll := &lockedLists{slots: make([]slotLists, slots), next: make([]uint32, n), home: make([]uint32, n)}
	for s := range ll.slots {
		sl := &ll.slots[s]
		sl.free = noIndex
		lo, hi := share(s)
		for x := hi - 1; x >= lo; x-- {
			ll.home[x] = uint32(s)
			ll.next[x] = sl.free
			sl.free = uint32(x)
		}
	}
	return ll
}

// A caller takes the lock of its probe's slot, v the probe's value; when
// that lock is held it calls lockContended, which moves the probe to
// another slot (advancing it until it leaves the slot found held: each
// advance picks a slot afresh) until one's lock is free, and after a try
// of every slot waits for one. It returns the slot, locked.
func lockContended[S any](slots []S, lock func(*S) *spin.Lock, pr probe.Probe, v uint32) int {
	n := len(slots)
	if n == 1 {
		lock(&slots[0]).Lock()
		return 0
	}
	held := pr.Slot(v, n)
	for range n {
		// 32 advances all on one slot of n >= 2: about 2⁻³² at worst.
		for range 32 {
			pr.Advance(v)
			if v = pr.Load(); pr.Slot(v, n) != held {
				break
			}
		}
		s := pr.Slot(v, n)
		if lock(&slots[s]).TryLock() {
			return s
		}
		held = s
	}
	s := pr.Slot(v, n)
	lock(&slots[s]).Lock()
	return s
}

// lockAll takes every slot's lock, in slot order; unlockAll releases them.
func lockAll[S any](slots []S, lock func(*S) *spin.Lock) {
	for s := range slots {
		lock(&slots[s]).Lock()
	}
}

func unlockAll[S any](slots []S, lock func(*S) *spin.Lock) {
	for s := range slots {
		lock(&slots[s]).Unlock()
	}
}

func (ll *lockedLists) lockContended(pr probe.Probe, v uint32) int {
	return lockContended(ll.slots, (*slotLists).lock, pr, v)
}

func (ll *lockedLists) lockAll()   { lockAll(ll.slots, (*slotLists).lock) }
func (ll *lockedLists) unlockAll() { unlockAll(ll.slots, (*slotLists).lock) }

// The stack operations below run with slot s locked.

// popFree takes the top index of slot s's stack; ok is false when it is
// empty.
func (ll *lockedLists) popFree(s int) (x uint32, ok bool) {
	sl := &ll.slots[s]
	if x = sl.free; x == noIndex {
		return 0, false
	}
	sl.free = ll.next[x]
	return x, true
}

// pushFree puts index x, which the caller owns, on slot s's stack (x's
// home, but when Pool's Put found that lock held).
func (ll *lockedLists) pushFree(s int, x uint32) {
	sl := &ll.slots[s]
	ll.next[x] = sl.free
	sl.free = x
}

// count counts the free indices of every slot, one slot's lock at a time:
// exact when no caller runs, approximate otherwise.
func (ll *lockedLists) count() int {
	n := 0
	for s := range ll.slots {
		sl := &ll.slots[s]
		sl.mu.Lock()
		for x := sl.free; x != noIndex && n < len(ll.next); x = ll.next[x] {
			n++
		}
		sl.mu.Unlock()
	}
	return n
}
