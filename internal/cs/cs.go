package cs

import (
	"strconv"
	"sync/atomic"
	"unsafe"

	"github.com/gorseq/rseq/internal/probe"
)

// Status is the outcome of a critical-section primitive.
type Status uint32

const (
	// OK: the operation committed.
	OK Status = iota
	// CmpFailed: the compare failed; nothing was written.
	CmpFailed
	// Moved: the thread is no longer on the slot the caller named; nothing
	// was written. Read CurrentSlot again and retry.
	Moved

	// Internal outcomes of the asm, never returned by the exported API.
	stStopped      // the slot is stopped by the slow path
	stNoRSEQ       // this thread cannot use rseq
	stAborted      // too many aborts in a row
	stNeedRegister // pure-Go mode: this thread has no area yet
)

func (s Status) String() string {
	switch s {
	case OK:
		return "ok"
	case CmpFailed:
		return "compare failed"
	case Moved:
		return "moved"
	case stStopped:
		return "stopped"
	case stNoRSEQ:
		return "no rseq"
	case stAborted:
		return "aborted"
	case stNeedRegister:
		return "need register"
	}
	return "status(" + strconv.Itoa(int(s)) + ")"
}

// CacheLine is the size the module pads hot fields to. 64 bytes is the line
// on amd64 and most arm64 cores; the pair of lines that adjacent-line
// prefetchers pull in together is not padded for.
const CacheLine = 1 << cacheLineShift

// cacheLineShift is log2(CacheLine), for the arm64 asm's stop word lookup.
const cacheLineShift = 6

// State set once by init and read-only afterwards.
var (
	rseqOn bool   // the RSEQ backend is selected
	nslots int    // number of slots
	slotsU uint32 // nslots as uint32, for the asm bound check
	info   Info
)

// Enabled reports whether the RSEQ backend is in use.
func Enabled() bool { return rseqOn }

// Slots returns the number of per-CPU slots each structure keeps. It is at
// least 1 and never changes.
func Slots() int { return nslots }

// hintSlot spreads goroutines over the slots by the address of their stack.
// Goroutines keep their stack (until it grows), so the hint is stable for a
// goroutine and differs between goroutines; it costs a few instructions.
func hintSlot() int {
	var x byte
	h := uint64(uintptr(unsafe.Pointer(&x))>>stackShift) * 0x9e3779b97f4a7c15
	return int(((h >> 32) * uint64(nslots)) >> 32)
}

// stackShift is log2 of the runtime's minimum goroutine stack (2 KiB), as
// in internal/probe: two stacks in use at once never share an address from
// this bit up, while the bits below change with the depth of the frame
// that asks (with a shift of 9, frames 512 bytes apart on one goroutine's
// stack hash to different slots).
const stackShift = 11

func atomicAddSlot(p unsafe.Pointer, stride uintptr, slot int, delta int64) {
	atomic.AddInt64((*int64)(unsafe.Add(p, uintptr(slot)*stride)), delta)
}

// addInt64Probed is the Atomic backend's add: one compare-and-swap on the
// slot of the goroutine's probe (internal/probe), as Java's LongAdder adds
// to its cell. A failed swap is contention on that slot: the probe moves
// to another slot, and the add completes there with one atomic add, so an
// add costs at most two locked instructions, and goroutines that collided
// on a slot (a stack hash alone sends two of them to one slot of two half
// the time, for good) spread out by themselves.
func addInt64Probed(p unsafe.Pointer, stride uintptr, delta int64) {
	pr := probe.For()
	v := pr.Load()
	w := (*int64)(unsafe.Add(p, uintptr(pr.Slot(v, nslots))*stride))
	if old := atomic.LoadInt64(w); atomic.CompareAndSwapInt64(w, old, old+delta) {
		return
	}
	pr.Advance(v)
	atomicAddSlot(p, stride, pr.Slot(pr.Load(), nslots), delta)
}

// addInt64Slow finishes an AddInt64 that did not commit on the fast path:
// the Atomic backend, a thread without an area yet or without rseq, a
// stopped slot, or too many aborts.
func addInt64Slow(p unsafe.Pointer, stride uintptr, delta int64) {
	if !rseqOn {
		addInt64Probed(p, stride, delta)
		return
	}
	for {
		if st := Status(rseqAdd(p, stride, delta)); st == OK {
			return
		} else if !retryFast(st) {
			break
		}
	}
	// No rseq on this thread, or too many aborts.
	stuck(func(s int) { atomic.AddInt64((*int64)(unsafe.Add(p, uintptr(s)*stride)), delta) })
}

// stuck runs the generic f on some slot under its stop word (fenced in the
// RSEQ backend), for threads that cannot use rseq, sections that reached
// the abort bound, and the Atomic backend.
func stuck(f func(s int)) {
	s := currentSlotSlow()
	lockSlot(s)
	if rseqOn {
		fence(s)
	}
	f(s)
	unlockSlot(s)
}

// retryFast handles the statuses every raw section reports the same way.
// It returns true when the caller should run its section again.
func retryFast(st Status) bool {
	switch st {
	case stNeedRegister:
		registerThread()
		return true
	case stStopped:
		waitStopped(-1)
		return true
	}
	return false // stNoRSEQ, stAborted, or a slot index out of range
}

// MaxMemcpy is the largest copy CmpMemcpyStore takes.
const MaxMemcpy = 4096

// The exported primitives (CurrentSlot, AddInt64, CmpStore, CmpStoreStore,
// CmpMemcpyStore, ListPop) are asm sections on linux/amd64 and linux/arm64
// (see rseq_linux.go) and Go elsewhere (rseq_noasm.go). Whatever the fast
// path does not finish, it hands to the functions below, with the same
// arguments.

// currentSlotSlow answers CurrentSlot when the asm could not read a slot:
// the Atomic backend, or a thread without an area yet or without rseq.
func currentSlotSlow() int {
	if !rseqOn {
		// The goroutine's probe, as the Atomic backends of every
		// structure use it: a Pop that starts from this slot starts
		// from the slot this goroutine pushes to.
		pr := probe.For()
		return pr.Slot(pr.Load(), nslots)
	}
	for range 2 {
		idx, st := rseqCurrent()
		switch Status(st) {
		case OK:
			if idx < slotsU {
				return int(idx)
			}
			// An index out of range (more CPUs than slots): a slot
			// from the stack hint, below the bound the sections check
			// (slotsU equals nslots but under the tests' BoundSlots).
			// The compare sections send such a thread to their slow
			// paths (MOVED_EXIT), so it makes progress on that slot.
			return hintSlot() % int(slotsU)
		case stNeedRegister:
			registerThread()
			continue
		}
		break
	}
	// No rseq on this thread: a slot from the stack hint, below the
	// sections' bound as above.
	return hintSlot() % int(slotsU)
}

func cmpStoreSlow(slot int, v *uint64, expect, newv uint64) Status {
	c := call{op: opCmpStore, slot: slot, v: v, expect: expect, newv: newv}
	_, st := c.slow()
	return st
}

func cmpStoreStoreSlow(slot int, v *uint64, expect uint64, v2 *uint64, new2, newv uint64) Status {
	c := call{op: opCmpStoreStore, slot: slot, v: v, expect: expect, v2: v2, new2: new2, newv: newv}
	_, st := c.slow()
	return st
}

func cmpMemcpyStoreSlow(slot int, v *uint64, expect uint64, dst, src unsafe.Pointer, n uintptr, newv uint64) Status {
	if n > MaxMemcpy {
		panic("cs: CmpMemcpyStore n " + strconv.FormatUint(uint64(n), 10) + " exceeds MaxMemcpy " + strconv.Itoa(MaxMemcpy))
	}
	c := call{op: opCmpMemcpyStore, slot: slot, v: v, expect: expect, dst: dst, src: src, n: n, newv: newv}
	_, st := c.slow()
	return st
}

func listPopSlow(slot int, head *uint64, next unsafe.Pointer, sentinel uint64) (uint64, Status) {
	c := call{op: opListPop, slot: slot, v: head, dst: next, expect: sentinel}
	return c.slow()
}

// call holds the arguments of one primitive for its slow path, so that one
// loop serves every primitive without closures (which would allocate).
type call struct {
	op     uint8
	slot   int
	v      *uint64
	expect uint64
	v2     *uint64
	new2   uint64
	newv   uint64
	dst    unsafe.Pointer
	src    unsafe.Pointer
	n      uintptr
}

const (
	opCmpStore = iota
	opCmpStoreStore
	opCmpMemcpyStore
	opListPop
)

// fast runs the asm version of the call.
func (c *call) fast() (uint64, Status) {
	s := uint32(c.slot)
	switch c.op {
	case opCmpStore:
		return 0, Status(rseqCmpStore(s, c.v, c.expect, c.newv))
	case opCmpStoreStore:
		return 0, Status(rseqCmpStoreStore(s, c.v, c.expect, c.v2, c.new2, c.newv))
	case opCmpMemcpyStore:
		return 0, Status(rseqCmpMemcpyStore(s, c.v, c.expect, c.dst, c.src, c.n, c.newv))
	default:
		node, st := rseqListPop(s, c.v, c.dst, c.expect)
		return node, Status(st)
	}
}

// generic runs the generic (pure-Go) version of the call. The caller holds the slot.
func (c *call) generic() (uint64, Status) {
	switch c.op {
	case opCmpStore:
		return 0, cmpStoreGeneric(c.v, c.expect, c.newv)
	case opCmpStoreStore:
		return 0, cmpStoreStoreGeneric(c.v, c.expect, c.v2, c.new2, c.newv)
	case opCmpMemcpyStore:
		return 0, cmpMemcpyStoreGeneric(c.v, c.expect, c.dst, c.src, c.n, c.newv)
	default:
		return listPopGeneric(c.v, c.dst, c.expect)
	}
}

// slow finishes a call the fast path did not: registers the thread, waits
// out a stopped slot, or runs the generic version under the slot's stop word
// (fenced in the RSEQ backend).
func (c *call) slow() (uint64, Status) {
	if uint(c.slot) >= uint(nslots) {
		panic("cs: slot " + strconv.Itoa(c.slot) + " out of range [0, " + strconv.Itoa(nslots) + ")")
	}
	for rseqOn {
		node, st := c.fast()
		switch st {
		case OK, CmpFailed, Moved:
			return node, st
		case stNeedRegister:
			registerThread()
			continue
		case stStopped:
			waitStopped(c.slot)
			continue
		}
		break // stNoRSEQ, stAborted
	}
	lockSlot(c.slot)
	if rseqOn {
		fence(c.slot)
	}
	node, st := c.generic()
	unlockSlot(c.slot)
	return node, st
}
