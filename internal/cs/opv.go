package cs

import (
	"errors"
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

// stopWords is the off-heap array of stop words, one cache line per slot;
// the asm reads it through stopBase.
var stopWords unsafe.Pointer

func stopWord(s int) *uint32 {
	return (*uint32)(unsafe.Add(stopWords, uintptr(s)*CacheLine))
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

// OpKind names an operation of an op vector.
type OpKind uint8

const (
	// OpCmpEq stops the vector unless *Addr == Value.
	OpCmpEq OpKind = iota + 1
	// OpCmpNe stops the vector unless *Addr != Value.
	OpCmpNe
	// OpStore sets *Addr = Value.
	OpStore
	// OpAdd adds Value (two's complement) to *Addr.
	OpAdd
	// OpMemcpy copies Len bytes from Src to Addr.
	OpMemcpy
)

func (k OpKind) String() string {
	switch k {
	case OpCmpEq:
		return "cmpeq"
	case OpCmpNe:
		return "cmpne"
	case OpStore:
		return "store"
	case OpAdd:
		return "add"
	case OpMemcpy:
		return "memcpy"
	}
	return fmt.Sprintf("OpKind(%d)", uint8(k))
}

// Op is one operation of an op vector. Addr is a uint64 word (8-byte
// aligned) for every kind but OpMemcpy, where it is the destination.
type Op struct {
	Kind  OpKind
	Addr  unsafe.Pointer
	Value uint64
	Src   unsafe.Pointer
	Len   int
}

// Limits of an op vector, as cpu_opv had them.
const (
	MaxOps = 16
)

// Errors of Opv. Validation errors wrap ErrInvalidOp; a failed compare is a
// *CmpError.
var (
	ErrInvalidOp = errors.New("cs: invalid op vector")
)

// CmpError reports which compare stopped an op vector. The operations before
// it ran; none after it did.
type CmpError struct {
	Index int
	Op    Op
	Found uint64
}

func (e *CmpError) Error() string {
	return fmt.Sprintf("cs: op %d (%v) failed: found %d, value %d", e.Index, e.Op.Kind, e.Found, e.Op.Value)
}

// Opv runs ops in order on slot s, atomically with respect to every critical
// section and slow path on that slot: stop word, fence, the ops with plain
// memory, release. A failed compare stops the vector and returns a *CmpError
// naming it. The vector is validated whole before anything runs: at most
// MaxOps ops, memcpy lengths in [0, MaxMemcpy], known kinds, non-nil
// addresses, 8-byte aligned words; a bad vector returns an error wrapping
// ErrInvalidOp that names the op and the problem.
func Opv(s int, ops []Op) error {
	if uint(s) >= uint(nslots) {
		return fmt.Errorf("%w: slot %d out of range [0, %d)", ErrInvalidOp, s, nslots)
	}
	if err := validateOps(ops); err != nil {
		return err
	}
	lockSlot(s)
	defer unlockSlot(s)
	if rseqOn {
		fence(s)
	}
	return runOps(ops)
}

func validateOps(ops []Op) error {
	if len(ops) > MaxOps {
		return fmt.Errorf("%w: %d ops, at most %d", ErrInvalidOp, len(ops), MaxOps)
	}
	for i, op := range ops {
		if op.Addr == nil {
			return fmt.Errorf("%w: op %d (%v) has a nil Addr", ErrInvalidOp, i, op.Kind)
		}
		switch op.Kind {
		case OpCmpEq, OpCmpNe, OpStore, OpAdd:
			if uintptr(op.Addr)%8 != 0 {
				return fmt.Errorf("%w: op %d (%v) Addr %p is not 8-byte aligned", ErrInvalidOp, i, op.Kind, op.Addr)
			}
		case OpMemcpy:
			if op.Len < 0 || op.Len > MaxMemcpy {
				return fmt.Errorf("%w: op %d (memcpy) Len %d out of range [0, %d]", ErrInvalidOp, i, op.Len, MaxMemcpy)
			}
			if op.Src == nil && op.Len > 0 {
				return fmt.Errorf("%w: op %d (memcpy) has a nil Src", ErrInvalidOp, i)
			}
		default:
			return fmt.Errorf("%w: op %d has unknown kind %d", ErrInvalidOp, i, uint8(op.Kind))
		}
	}
	return nil
}

// runOps runs a validated vector; the caller holds the slot.
func runOps(ops []Op) error {
	for i, op := range ops {
		w := (*uint64)(op.Addr)
		switch op.Kind {
		case OpCmpEq, OpCmpNe:
			found := atomic.LoadUint64(w)
			if (found == op.Value) != (op.Kind == OpCmpEq) {
				return &CmpError{Index: i, Op: op, Found: found}
			}
		case OpStore:
			atomic.StoreUint64(w, op.Value)
		case OpAdd:
			// Atomic: in the Atomic backend, fast paths add to the same
			// words with atomic instructions and do not take the slot.
			atomic.AddUint64(w, op.Value)
		case OpMemcpy:
			copy(unsafe.Slice((*byte)(op.Addr), op.Len), unsafe.Slice((*byte)(op.Src), op.Len))
		}
	}
	return nil
}

// Statistics, for tests and the torture harness.
var (
	abortCount     uint64 // incremented by the asm abort handlers (LOCK INCQ)
	fences         atomic.Uint64
	registered     atomic.Uint64
	noRSEQThreads  atomic.Uint64
	areasAllocated atomic.Uint64
)

// Stats counts slow-path events since the process started.
type Stats struct {
	Aborts     uint64 // critical sections restarted by the kernel
	Fences     uint64 // membarrier fences issued
	Registered uint64 // threads registered by this package (pure-Go mode)
	NoRSEQ     uint64 // threads that could not register and use the slow path
	Areas      uint64 // rseq areas allocated (pure-Go mode); recycled ones are not counted again
}

// ReadStats returns the current statistics.
func ReadStats() Stats {
	return Stats{
		Aborts:     atomic.LoadUint64(&abortCount),
		Fences:     fences.Load(),
		Registered: registered.Load(),
		NoRSEQ:     noRSEQThreads.Load(),
		Areas:      areasAllocated.Load(),
	}
}
