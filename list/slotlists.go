package list

import (
	"github.com/gorseq/rseq/internal/cs"
	"github.com/gorseq/rseq/internal/probe"
	"github.com/gorseq/rseq/internal/spin"
)

// The Atomic backend of PerCPU and Pool: per slot, the two lists (values
// and free nodes; Pool uses the free lists only) as plain stacks of node
// indices behind one spin lock, taken with one compare-and-swap and
// released with a plain store (internal/spin). A Push or a Pop is then one
// locked instruction, where two lock-free stacks took two.
//
// Which slot a goroutine locks is its probe (internal/probe): when the
// lock is taken it tries another slot and moves its probe there, as Java's
// LongAdder rehashes on contention, so goroutines that collide spread out,
// and a holder that was preempted only sends the others elsewhere. After
// one try of every slot's lock a caller waits for one.
//
// Every node has a home slot, the slot whose share of the capacity it
// started in, and PerCPU keeps its free nodes on their home's free list:
// Pop returns a node there, wherever it took it from, unless the home's
// lock is held at that moment (the node then stays on the list of the
// slot it was taken from, and goes home after its next use). Pool's Put
// returns an index home too, unless that lock is held.
// Homes are blocks of consecutive indices, so goroutines on different
// slots keep to different cache lines of the links and of the values, even
// after a value has moved to another slot. Without homes, a node taken by
// a goroutine that had just moved slots could end up next to another
// goroutine's hot node, and both would write one line on every operation.
//
// When a slot's list is empty, the caller takes a node from another slot
// (each lock in turn), and when every other list looked empty it takes
// every slot's lock, in slot order, and looks again: that look is exact,
// as issue 18's contract in PerCPU's doc demands. Only that look holds
// more than one lock, and it takes them in one order, so no caller waits
// for a lock while holding one that another waiter needs.

// noIndex ends a list: no node has this index.
const noIndex = ^uint32(0)

// slotLists is one slot's lock and list heads, on a cache line of their
// own; the heads are guarded by the lock.
type slotLists struct {
	mu   spin.Lock
	used uint32 // top of the values' list; noIndex when empty
	free uint32 // top of the free nodes' list; noIndex when empty
	_    [cs.CacheLine - 12]byte
}

// lockedLists is every slot's pair of lists over the nodes [0, len(next)).
type lockedLists struct {
	slots []slotLists
	next  []uint32 // next[x]: the node below x on its list; guarded by that list's lock
	home  []uint32 // home[x]: x's home slot; read-only
}

// newLockedLists returns the lists of n nodes over the given slots, every
// node free on its home's list: slot s's share, as NewPerCPU spreads it.
func newLockedLists(slots, n int, share func(s int) (lo, hi int)) *lockedLists {
	ll := &lockedLists{slots: make([]slotLists, slots), next: make([]uint32, n), home: make([]uint32, n)}
	for s := range ll.slots {
		sl := &ll.slots[s]
		sl.used, sl.free = noIndex, noIndex
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
func (ll *lockedLists) lockContended(pr probe.Probe, v uint32) int {
	n := len(ll.slots)
	if n == 1 {
		ll.slots[0].mu.Lock()
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
		if ll.slots[s].mu.TryLock() {
			return s
		}
		held = s
	}
	s := pr.Slot(v, n)
	ll.slots[s].mu.Lock()
	return s
}

// lockAll takes every slot's lock, in slot order; unlockAll releases them.
func (ll *lockedLists) lockAll() {
	for s := range ll.slots {
		ll.slots[s].mu.Lock()
	}
}

func (ll *lockedLists) unlockAll() {
	for s := range ll.slots {
		ll.slots[s].mu.Unlock()
	}
}

// The list operations below run with the list's slot locked.

// popFree and popUsed take the top node of slot s's list; ok is false
// when it is empty.
func (ll *lockedLists) popFree(s int) (x uint32, ok bool) {
	sl := &ll.slots[s]
	if x = sl.free; x == noIndex {
		return 0, false
	}
	sl.free = ll.next[x]
	return x, true
}

func (ll *lockedLists) popUsed(s int) (x uint32, ok bool) {
	sl := &ll.slots[s]
	if x = sl.used; x == noIndex {
		return 0, false
	}
	sl.used = ll.next[x]
	return x, true
}

// pushUsed puts node x, which the caller owns, on slot s's list of values.
func (ll *lockedLists) pushUsed(s int, x uint32) {
	sl := &ll.slots[s]
	ll.next[x] = sl.used
	sl.used = x
}

// pushFree puts node x, which the caller owns, on slot s's free list
// (x's home, but for the cases freeUnlock and Pool's Put describe).
func (ll *lockedLists) pushFree(s int, x uint32) {
	sl := &ll.slots[s]
	ll.next[x] = sl.free
	sl.free = x
}

// freeUnlock returns node x, which the caller owns and whose value it
// has cleared, to its home's free list, and releases slot s's lock, which
// the caller holds. When x's home is another slot it tries that slot's
// lock while it holds s's (a try never waits, so it cannot deadlock), and
// when that lock is held it leaves x on s's free list: x goes from one
// list to the other under a lock, and is never out of every list, so a
// Push that confirms "full" with every lock held cannot miss it.
func (ll *lockedLists) freeUnlock(s int, x uint32) {
	if h := int(ll.home[x]); h != s && ll.slots[h].mu.TryLock() {
		ll.pushFree(h, x)
		ll.slots[h].mu.Unlock()
	} else {
		ll.pushFree(s, x)
	}
	ll.slots[s].mu.Unlock()
}

// countFrom walks a list from its top node, at most len(next) nodes.
func (ll *lockedLists) countFrom(top uint32) int {
	n := 0
	for x := top; x != noIndex && n < len(ll.next); x = ll.next[x] {
		n++
	}
	return n
}

// count counts the values (free false) or the free nodes (free true) of
// every slot, one slot's lock at a time: exact when no caller runs,
// approximate otherwise.
func (ll *lockedLists) count(free bool) int {
	n := 0
	for s := range ll.slots {
		sl := &ll.slots[s]
		sl.mu.Lock()
		top := sl.used
		if free {
			top = sl.free
		}
		n += ll.countFrom(top)
		sl.mu.Unlock()
	}
	return n
}
