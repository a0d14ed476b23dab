package cs

import (
	"fmt"
	"runtime"
	"sync/atomic"
	"unsafe"
)

// The slow path: every slot has a stop word, on a cache line of its own,
// that the critical sections read before they store anything. A slow-path
// caller sets it (it doubles as the slot's lock among slow-path callers),
// then fences: membarrier(MEMBARRIER_CMD_PRIVATE_EXPEDITED_RSEQ) restarts
// every critical section that was running on the slot's CPU (on every CPU
// when slots are mm_cids), and a restarted section sees the stop word and
// diverts. From then until the release store, the caller owns the slot's
// memory and works on it with plain Go code. This is tcmalloc's StopCpu and
// the successor of the cpu_opv system call proposed with rseq in 2017.
//
// In the Atomic backend the stop word is a plain spin lock and there is no
// fence.

// stopWords is the off-heap array of stop words, room for one cache line
// per slot; the asm reads it through stopBase (hot.stopBase on amd64).
//
// In the RSEQ backend on amd64 the words are packed, stopSpacingRSEQ bytes
// apart, so that a section finds its slot's word with one scaled index (no
// shift into a scratch register: that cost a quarter of a section's time
// beyond the call). Packing means that stopping one slot invalidates the
// line of its neighbours' words too: one cache miss per slow path for the
// sections of up to 16 slots, next to the fence's microseconds. In the
// Atomic backend the words are the slots' spin locks and keep a cache line
// each; arm64 keeps a line each too.
var stopWords unsafe.Pointer

// stopSpacing is the distance between two stop words: CacheLine, or
// stopSpacingRSEQ once platformInit has selected the RSEQ backend (before
// any stop word is used).
var stopSpacing uintptr = CacheLine

func stopWord(s int) *uint32 {
	return (*uint32)(unsafe.Add(stopWords, uintptr(s)*stopSpacing))
}

// lockSlot sets slot s's stop word, waiting while another slow path holds it.
func lockSlot(s int) {
	w := stopWord(s)
	for i := 0; !atomic.CompareAndSwapUint32(w, 0, 1); i++ {
		backoff(i)
	}
}

func unlockSlot(s int) { atomic.StoreUint32(stopWord(s), 0) }

// waitStopped waits until slot s (every slot, if s < 0) is no longer
// stopped. Only fast paths that found a stop word set call it.
func waitStopped(s int) {
	lo, hi := s, s+1
	if s < 0 {
		lo, hi = 0, nslots
	}
	for t := lo; t < hi; t++ {
		for i := 0; atomic.LoadUint32(stopWord(t)) != 0; i++ {
			backoff(i)
		}
	}
}

func backoff(i int) {
	if i < 16 {
		return // a few quick rechecks first: the holder is usually brief
	}
	runtime.Gosched()
}

// fence restarts every critical section running on slot s (s < 0: on every
// slot). It returns once no section that started before the stop word was
// set can still commit.
func fence(s int) {
	if err := membarrierFence(s); err != nil {
		// Registration succeeded at init, so the kernel cannot refuse now.
		panic("cs: membarrier fence failed after a successful registration: " + err.Error())
	}
	fences.Add(1)
}

// Barrier is a process-wide memory barrier, paid by the caller alone: when
// it returns, every thread of the process that was running has executed a
// full memory barrier (membarrier MEMBARRIER_CMD_PRIVATE_EXPEDITED), so
// plain stores made by critical sections before the call are visible to the
// caller, and plain loads those threads make afterwards see what the caller
// stored before it. It lets read-side fast paths (RCU) skip the fence a
// store-then-load ordering would need. In the Atomic backend the fast paths
// use sequentially consistent atomics and Barrier does nothing.
func Barrier() {
	if !rseqOn {
		return
	}
	if err := membarrierBarrier(); err != nil {
		panic("cs: membarrier barrier failed after a successful registration: " + err.Error())
	}
	fences.Add(1)
}

// Exclusive runs f with slot s stopped: while f runs, no critical section
// commits on slot s and no other slow path holds it. f may read and write
// slot s's memory with plain loads and stores, except words that the Atomic
// backend updates with atomic instructions (counters), which f must update
// atomically too. f must not block for long: fast paths on the slot wait for
// it. It panics if s is out of range.
func Exclusive(s int, f func()) {
	if uint(s) >= uint(nslots) {
		panic(fmt.Sprintf("cs: Exclusive slot %d out of range [0, %d)", s, nslots))
	}
	lockSlot(s)
	defer unlockSlot(s)
	if rseqOn {
		fence(s)
	}
	f()
}

// ExclusiveAll runs f with every slot stopped, with a single fence.
func ExclusiveAll(f func()) {
	for s := range nslots {
		lockSlot(s)
	}
	defer func() {
		for s := range nslots {
			unlockSlot(s)
		}
	}()
	if rseqOn {
		fence(-1)
	}
	f()
}
