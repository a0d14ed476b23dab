package cs

import "unsafe"

// Export guts for testing.

var (
	CmpStoreGeneric       = cmpStoreGeneric
	CmpStoreStoreGeneric  = cmpStoreStoreGeneric
	CmpMemcpyStoreGeneric = cmpMemcpyStoreGeneric
	ListPopGeneric        = listPopGeneric
	AddGeneric            = addGeneric
	ParseCPUList          = parseCPUList
	HintSlot              = hintSlot
)

// Raw asm entry points: they report every status (stStopped and the rest)
// instead of finishing the call on a slow path.
func RawAdd(p unsafe.Pointer, stride uintptr, delta int64) Status {
	return Status(rseqAdd(p, stride, delta))
}

func RawCmpStore(slot int, v *uint64, expect, newv uint64) Status {
	return Status(rseqCmpStore(uint32(slot), v, expect, newv))
}

func RawCmpStoreStore(slot int, v *uint64, expect uint64, v2 *uint64, new2, newv uint64) Status {
	return Status(rseqCmpStoreStore(uint32(slot), v, expect, v2, new2, newv))
}

func RawCmpMemcpyStore(slot int, v *uint64, expect uint64, dst, src unsafe.Pointer, n uintptr, newv uint64) Status {
	return Status(rseqCmpMemcpyStore(uint32(slot), v, expect, dst, src, n, newv))
}

func RawListPop(slot int, head *uint64, next unsafe.Pointer, sentinel uint64) (uint64, Status) {
	node, st := rseqListPop(uint32(slot), head, next, sentinel)
	return node, Status(st)
}

// RawCurrent returns the slot index and status the asm reads, registering
// the thread first if it needs it.
func RawCurrent() (int, Status) {
	idx, st := rseqCurrent()
	if Status(st) == stNeedRegister {
		registerThread()
		idx, st = rseqCurrent()
	}
	return int(idx), Status(st)
}

// MoveInRange pins the calling thread, locked to its goroutine, until its
// slot index is below the slot count (with fewer slots than CPUs it need
// not be: the rseqslots build), and returns what gives it its CPU set
// back. Where there are no sections it does nothing.
var MoveInRange = func() (restore func(), err error) { return func() {}, nil }

const (
	StStopped      = stStopped
	StNoRSEQ       = stNoRSEQ
	StAborted      = stAborted
	StNeedRegister = stNeedRegister
	ChunkStride    = chunkStride
)

func LockSlot(s int)   { lockSlot(s) }
func UnlockSlot(s int) { unlockSlot(s) }

// StopWord returns slot s's stop word.
func StopWord(s int) *uint32 { return stopWord(s) }

// AtomicAdd is the Atomic backend's AddInt64 on a given slot, for benchmarks.
func AtomicAdd(p unsafe.Pointer, stride uintptr, slot int, delta int64) {
	atomicAddSlot(p, stride, slot, delta)
}

// LockedCmpStore is the Atomic backend's CmpStore, for benchmarks.
func LockedCmpStore(slot int, v *uint64, expect, newv uint64) Status {
	c := call{op: opCmpStore, slot: slot, v: v, expect: expect, newv: newv}
	lockSlot(slot)
	_, st := c.generic()
	unlockSlot(slot)
	return st
}

// Purego reports the purego build.
const Purego = purego

// ForcedAborts reports the rseqabort test build.
const ForcedAborts = forcedAborts

// Section is a scanned section's offsets.
type Section struct{ Start, Post, Abort int }

func ScanSection(code []byte) (Section, error) {
	s, err := scanSection(code)
	return Section{s.start, s.post, s.abort}, err
}

// EmptyAsm calls the empty asm function directly (not through a func value).
func EmptyAsm() { emptyAsm() }

// PlainAddAsm calls the bare asm add directly; PlainAddGeneric is its twin.
func PlainAddAsm(p *int64, delta int64) { plainAddAsm(p, delta) }

var PlainAddGeneric = plainAddGeneric

// The metrics primitives' generic versions and raw sections.
var (
	AddFloat64Generic = addFloat64Generic
	AddPairAtGeneric  = addPairAtGeneric
)

func RawAddFloat64(p unsafe.Pointer, stride uintptr, delta float64) Status {
	return Status(rseqAddFloat64(p, stride, delta))
}

func RawAddPairAt(p unsafe.Pointer, stride uintptr, bounds unsafe.Pointer, n uintptr, x float64) Status {
	return Status(rseqAddPairAt(p, stride, bounds, n, x))
}

func RingPushGeneric(h unsafe.Pointer, ring uintptr, mask uint64, step uintptr, src unsafe.Pointer, n uintptr) Status {
	return ringPushGeneric(h, ring, mask, step, src, n)
}

func RecordsPushGeneric(h unsafe.Pointer, ring uintptr, size uint64, src unsafe.Pointer, n uintptr, sz uint64) Status {
	return recordsPushGeneric(h, ring, size, src, n, sz)
}
