package list

import (
	"runtime"
	"sync/atomic"
	"weak"

	"github.com/gorseq/rseq/internal/cs"
)

// The cleaner of a PerCPU whose Pop leaves stale values in free nodes
// (PerCPU.stale: the RSEQ backend, T with pointers, not under the race
// detector).
//
// Pop is one section that copies the value out and moves its node to the
// free list; clearing the node's value inside that section would be a
// pointer store without Go's write barrier, which the garbage collector
// does not allow. So the free node keeps a copy of the value until a Push
// takes the node and overwrites it (with the barrier), and the value stays
// reachable meanwhile. To bound that, the cleaner clears the value of every
// free node once per garbage collection cycle, in Go, with every slot
// stopped (no section runs, and a free node is owned by no Push or Pop).
//
// The cleaner is a cleanup (runtime.AddCleanup) attached to a fresh
// sentinel object that nothing references: the first collection that
// starts after the sentinel's allocation finds it unreachable and queues
// the cleanup, which cleans the list and arms the next sentinel. The
// cleanup holds the list through a weak pointer, so the list can still be
// collected; then the chain ends. No goroutine of the package's own is
// involved: the runtime runs cleanups on its goroutines.
//
// The guarantee (in PerCPU's doc): a value that Pop returned stays
// reachable from the list at most until the first pass whose walk begins
// after the Pop (a walk and a Pop exclude each other: the walk runs with
// every slot stopped), or until a Push takes the node and overwrites the
// value, if that comes first. Passes follow each other: pass k arms the
// sentinel of pass k+1 when it ends, and the first collection that starts
// after that finds the sentinel unreachable and queues pass k+1. So pass
// k+1 follows the end of pass k by one collection and the runtime's delay
// in running cleanups. If the first collection that starts after the Pop
// finds a sentinel armed, the pass it queues clears the value; if it finds
// a pass still pending, the collection after that pass's end does. When
// the runtime runs each pass before the next collection starts, the value
// is unreachable from the list after the passes of at most two collections
// that start after the Pop.

// cleanTick is the sentinel: it holds a pointer, so it is never a tiny
// allocation (whose cleanup may wait for a neighbour's).
type cleanTick struct{ _ *cleanTick }

// armCleaner attaches the next pass of w's cleaner to a fresh sentinel.
func armCleaner[T any](w weak.Pointer[PerCPU[T]]) {
	runtime.AddCleanup(new(cleanTick), cleanPass[T], w)
}

// cleanPass is one pass of the cleaner of the list w points to, if it
// still lives; it arms the next one, and only then counts the pass, so
// that a collection started by whoever saw the count queues the next pass.
func cleanPass[T any](w weak.Pointer[PerCPU[T]]) {
	l := w.Value()
	if l == nil {
		return // the list is gone: the chain ends
	}
	l.clean()
	armCleaner(w)
	l.cleans.Add(1)
}

// clean clears the value of every node on every free list, with every slot
// stopped for the walk. Its cost is about 2.5 ns per free node
// (BenchmarkPerCPUClean), once per garbage collection cycle; a Push or Pop
// that runs meanwhile waits for it (the slow path of a stopped slot), as
// does any other structure's section on a stopped slot.
func (l *PerCPU[T]) clean() {
	var zero T
	cs.ExclusiveAll(func() {
		for s := range cs.Slots() {
			// The bound keeps a damaged list from being walked forever.
			n := 0
			for x := atomic.LoadUint64(l.head(s, freeOff)); x != nilNode && n < len(l.values); x = atomic.LoadUint64(l.link(s, freeOff, x)) {
				l.values[x] = zero
				n++
			}
		}
	})
}
