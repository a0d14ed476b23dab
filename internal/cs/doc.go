// Package cs is the critical-section core of the module: the one place that
// knows about Linux restartable sequences (rseq).
//
// It provides
//
//   - per-thread rseq registration: with cgo, glibc's registration at the
//     thread pointer plus __rseq_offset (linux/amd64 and linux/arm64);
//     without cgo, on linux/amd64 only, the package registers its own
//     off-heap areas lazily and finds them through FS:0 (see "linux/arm64"
//     below for why pure-Go arm64 binaries cannot);
//   - critical-section primitives on per-slot memory (AddInt64, CmpStore,
//     CmpStoreStore, CmpMemcpyStore, ListPop, the sections on the current
//     slot in here.go, and for metrics AddFloat64 and AddPairAt), each an
//     asm routine on linux/amd64 and linux/arm64 with a generic (pure-Go)
//     version that the slow paths run and the tests compare it with;
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
// platform is linux/amd64, or linux/arm64 in a cgo binary on glibc 2.35 or
// later (gc, without the purego tag), the kernel supports rseq and the
// membarrier RSEQ fence, registration works, and the self-check passes;
// Atomic otherwise. GORSEQ=atomic forces Atomic; GORSEQ=cpu_id indexes
// slots by CPU number instead of mm_cid. Describe reports the decision and
// why.
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
// # linux/arm64
//
// The sections (sections_arm64.h) are those of amd64, with the arm64 facts:
// the signature 0xd428bc00 (BRK #0x45e0) as the instruction word before each
// abort handler, the area at TPIDR_EL0 plus glibc's __rseq_offset (negative:
// the area lives in struct pthread below the thread pointer), rseq system
// call 293, compares as ldr/sub/cbnz, and an ordering argument for a weakly
// ordered machine: the stop word is read with a load-acquire, the commits
// that publish data to other CPUs are store-releases (sections_arm64.h
// explains each). glibc's offset and size are found without cgo, as on
// amd64; a cgo binary must also show, on a second thread, a thread pointer
// of its own with glibc's area registered there (checkThreadAnchor).
//
// A pure-Go binary on linux/arm64 takes the Atomic backend, and Describe
// says why: it has no safe per-thread anchor for an area. On amd64 the Go
// runtime points FS at per-thread memory of its own (m.tls) for every
// thread it creates, so FS:0 is a word no other thread shares. On arm64
// without cgo the runtime never writes TPIDR_EL0 (its save_g and load_g
// return early when !iscgo) and creates threads with clone without
// CLONE_SETTLS, so a new thread starts with its creator's TPIDR_EL0. An
// area pointer stored there would be used by every thread created after the
// store, and sections on an area registered for another thread are not
// protected at all (the kernel restarts only the owner's sections; a
// second thread arming the owner's area even strips the owner's own
// protection). A section would have to prove, before its arming store and
// without a system call, that the area in TPIDR_EL0 is this thread's. There
// is nothing to prove it with:
//
//   - the registers a thread can read cheaply are either shared at clone
//     (TPIDR_EL0, the general and vector registers) or not per thread
//     (TPIDRRO_EL0 is zero for 64-bit tasks; TPIDR2_EL0 exists only with
//     SME and is inherited as well without CLONE_SETTLS);
//   - memory is shared by every thread (CLONE_VM), so its contents cannot
//     depend on the reader; per-thread memory can only be reached through a
//     per-thread register, which is the question again;
//   - what the kernel writes per thread is the registered thread's own rseq
//     area (cpu_id, mm_cid, the cleared rseq_cs), and it writes it on that
//     thread's preemptions, migrations and signals, never on demand: a
//     thread cannot make the kernel confirm, cheaply, that an area is its
//     own; the thread id is not in the area and arm64 has no vDSO gettid
//     or getcpu;
//   - asking the kernel is a system call per section: rseq(area) answers
//     EBUSY for this thread's own area (EINVAL for another area while this
//     thread has one; it succeeds, and so steals the area, on a thread that
//     has none), and gettid gives the owner's check; either costs more than
//     the atomic fallback it would replace;
//   - validating once per thread would need to know when a thread is new,
//     and the runtime creates threads without telling anyone (no hook
//     without go:linkname);
//   - a value inherited and a value the thread stored itself are the same
//     bits: the child gets exactly its creator's register, so no encoding
//     of the pointer (a tag, a checksum) can tell them apart.
//
// So a pure-Go arm64 process keeps TPIDR_EL0 untouched and runs the Atomic
// backend. A pure-Go PIE is caught too: there the dynamic loader set the
// first thread's TPIDR_EL0 and registered glibc's area for it, and every
// later thread inherits both; the self-check's thread finds the same
// thread pointer as init's and the process takes the Atomic backend.
//
// # Rules for callers
//
// Memory touched by the asm must never hold Go pointers (asm stores have no
// write barrier): keep integers and indices in per-slot memory. Never update
// one word both with an atomic instruction and from a critical section; the
// primitives here keep that rule inside each backend.
package cs
