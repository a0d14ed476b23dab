// Package list provides an object pool and two lists built on per-CPU data:
//
//   - [Pool], a fixed set of objects handed out by Get and returned by Put,
//     each one critical section on the current CPU's stack of object
//     indices, with a shared depot behind (tcmalloc's per-CPU cache): a
//     per-CPU cache that, unlike sync.Pool, the garbage collector never
//     empties and that never allocates.
//   - [PerCPU], a per-CPU last-in first-out list of values with a fixed
//     total capacity: the object cache that per-CPU allocators (tcmalloc,
//     glibc's planned per-CPU malloc cache) put in front of a shared pool.
//     It is the per-CPU list of the kernel's rseq selftests, made generic.
//   - [List], a read-mostly linked list after liburcu's RCU lists, whose
//     readers traverse it inside read-side sections of an [RCU] domain that
//     cost two per-CPU additions each (libside's algorithm) instead of a
//     shared atomic, and whose writers can wait for a grace period
//     ([RCU.Synchronize], [RCU.Call]).
//
// # Guarantees
//
// Every method is safe for concurrent use. [Pool.Get], [Pool.Put],
// [PerCPU.Push], [PerCPU.Pop], [RCU.ReadLock] and [RCU.ReadUnlock] allocate
// nothing, and never block except for the moment a slow path stops a CPU's
// stack or list (moving a batch between CPUs, or confirming that a pool is
// empty or a list full or empty); List's readers never wait for writers,
// and its writers never wait for readers. Only Synchronize, Barrier and
// Close wait, and [PerCPU.Len] briefly stops each CPU's list.
//
// Values are kept in ordinary Go memory and may hold pointers: per-CPU
// memory holds only integers (node indices and counts), as the critical
// sections' stores have no garbage-collector write barrier. For the same
// reason PerCPU's Pop leaves a copy of the value in the node it frees; for
// a T with pointers a cleaner clears those copies once per garbage
// collection cycle, stopping every CPU's list for the walk (see [PerCPU]).
//
// # Backends
//
// The backends are described in [github.com/gorseq/rseq], whose Detect
// reports which one runs; the API and the guarantees are the same in both.
// In the RSEQ backend Pool's Get and Put are each one critical section
// that finds the current CPU's stack by itself; PerCPU's Pop is one
// critical section that copies the value out and frees its node, and its
// Push two (take a free node, then, once Go code has written the value,
// publish the node), each finding the current CPU's lists by itself; Get,
// Put and Pop are one call each and inline into the caller; and the work on another CPU's memory (refilling or spilling a
// pool's stack through the depot, taking free nodes or values when the
// current CPU has none, counting) runs on the slow path that stops that
// CPU's stack or list. An RCU read-side section is two plain per-CPU
// additions, and Synchronize replaces the readers' memory fences with
// process-wide membarriers.
//
// In the Atomic backend each slot keeps a plain stack (Pool's free object
// indices; PerCPU's values) behind a spin lock, taken with one atomic swap
// and released with a plain store, so a Get, Put, Push or Pop is one
// locked instruction. Each slot's PerCPU values sit in a block of its own
// (a Push on a full slot puts its value on another slot's stack), and a
// Pool object returns to its home slot's stack (unless that lock is held
// at that moment), so goroutines on different slots keep to different
// cache lines. RCU's counts are atomic additions
// on per-slot counters. A goroutine's slot is its probe, which moves to
// another slot when the slot's lock is held or a compare-and-swap fails,
// as Java's LongAdder moves a thread to another cell, so that goroutines
// colliding on a slot spread out, and a holder that was preempted only
// sends the others to other slots. An empty or full list is confirmed
// with every slot's lock held. So the Atomic backend can wait: a caller
// that finds every slot's lock held, or that confirms an empty or full
// list, spins and then yields until the locks it needs are free. A holder
// keeps a lock for a few loads and stores; only a holder that the
// scheduler took off its CPU mid-way makes the wait long.
package list
