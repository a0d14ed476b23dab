// Package rseq reports how this process runs the per-CPU structures of the
// module, and why: on restartable sequences (the RSEQ backend) or on atomic
// instructions (the Atomic backend). The structures themselves live in the
// sub-packages [github.com/gorseq/rseq/counter],
// [github.com/gorseq/rseq/ringbuf], [github.com/gorseq/rseq/list] and
// [github.com/gorseq/rseq/lockfree]; this is the one place that describes
// the backends they share.
//
// # Backends
//
// The per-CPU structures (counters, rings, lists) keep their hot data per
// CPU slot, and their fast paths touch only the slot of the calling
// thread.
//
// The RSEQ backend runs on Linux on amd64, and on arm64 in cgo binaries on
// glibc 2.35 or later, when the kernel offers rseq and the membarrier RSEQ
// fence (Linux 5.10 or later). A pure-Go linux/arm64 binary runs the Atomic
// backend: its threads inherit the thread pointer register from their
// creator, which leaves no safe place to find a thread's rseq area (the
// internal/cs package doc gives the argument; [Info].Reason says so). A slot's data lives in
// off-heap per-CPU memory, which holds no Go pointers, and a fast path is
// one restartable sequence on the current CPU's slot: its commit is a
// plain store, with no atomic instruction and no lock, and the kernel
// restarts the sequence if the thread is preempted, migrated or signalled
// inside it. Work on another CPU's slot (a counter's Reset, a list's steal) and
// threads that cannot use rseq take the slow path: it stops the slot with
// one membarrier fence, does the work, and releases the slot; operations
// on a stopped slot stall for those few microseconds, and the slow path is
// as exact as the fast one.
//
// The Atomic backend runs everywhere else: on other platforms, in pure-Go
// linux/arm64 binaries, with the purego build tag, with GORSEQ=atomic in the environment, or on a kernel
// without rseq. The per-slot data is updated with atomic instructions
// (under a per-slot lock where one instruction cannot do it), or held in
// the [github.com/gorseq/rseq/lockfree] containers, on a slot picked from
// the goroutine (its stack address, or a probe that moves to another slot
// when it meets contention, as Java's LongAdder does): that spreads
// contention, but goroutines may share a slot.
//
// The guarantees each package states hold in both backends; where an
// operation's cost differs, its doc comment says how. Detection runs once,
// at start-up, and hot paths only branch on its read-only result. [Detect]
// reports which backend runs and why.
//
// # Forcing the fallback
//
// Set GORSEQ=atomic in the environment to force the Atomic backend, or
// GORSEQ=cpu_id to index per-CPU slots by CPU number rather than by the
// kernel's per-process concurrency id (mm_cid). An unknown GORSEQ value
// selects the Atomic backend and says so in [Info].Reason. Build with
// -tags purego to leave out every line of assembly.
package rseq
