// Package cs is the critical-section core of the module: the one place that
// knows about Linux restartable sequences (rseq).
//
// It provides
//
//   - per-thread rseq registration, lazily, in both process modes: without
//     cgo the package registers its own off-heap areas and finds them through
//     FS:0; with cgo it uses glibc's registration at the thread pointer plus
//     __rseq_offset;
//   - critical-section primitives on per-slot memory (AddInt64, CmpStore,
//     CmpStoreStore, CmpMemcpyStore, ListPop, and for metrics AddFloat64
//     and AddPairAt), each an asm routine on linux/amd64 and linux/arm64
//     (AddFloat64 and AddPairAt: amd64 only so far) with a generic
//     (pure-Go) version that the slow paths run and the tests compare it
//     with;
//   - per-CPU memory (Mem): an off-heap pool of fixed stride, item i of slot s
//     at base + s*stride + offset;
//   - the slow path (Exclusive, ExclusiveAll), the successor of cpu_opv:
//     stop a slot, fence it with membarrier, work on it with plain Go code,
//     release it;
//   - the atomic backend, the same primitives on the same layout with atomic
//     instructions, or under the slot's stop word where one instruction
//     cannot do the job.
//
// # Backends
//
// The backend is chosen once, in init, and never changes: RSEQ when the
// platform is linux/amd64 (gc, without the purego tag), the kernel supports
// rseq and the membarrier RSEQ fence, registration works, and the self-check
// passes; Atomic otherwise. GORSEQ=atomic forces Atomic; GORSEQ=cpu_id
// indexes slots by CPU number instead of mm_cid. Describe reports the
// decision and why.
//
// # Slots
//
// A slot is the index of per-CPU data the current thread may use without
// atomic instructions: the kernel's mm_cid (a compact per-process id, unique
// among the process's running threads) when the kernel fills it, else the CPU
// number. Slots() is the number of slots each structure keeps. In the Atomic
// backend the slot is a hint derived from the goroutine's stack address: it
// spreads contention, but two goroutines may share a slot at once.
//
// # Rules for callers
//
// Memory touched by the asm must never hold Go pointers (asm stores have no
// write barrier): keep integers and indices in per-slot memory. Never update
// one word both with an atomic instruction and from a critical section; the
// primitives here keep that rule inside each backend.
package cs
