package cs

import (
	"strconv"
	"sync/atomic"
	"unsafe"
)

// The ring push primitives (package ringbuf's Ring.Push and Records.Push):
// on linux/amd64 and linux/arm64 each is one critical section
// (ring_amd64.h, ring_arm64.h, ring_linux.go); elsewhere, and for
// everything the section does not finish, they are the Go functions below,
// built on CurrentSlot and CmpStoreStore or CmpMemcpyStore.

// A RingLayout describes the per-slot rings of one structure to the ring
// push primitives, which read it through one pointer: a call stores two or
// four argument words instead of five more, and the section loads the
// layout's words itself (one line, beside the caller's other fields). It
// must not change while a push may run.
//
// Per slot (slot s's header at Base + s*Stride): the tail, a uint64 that
// only these primitives (and other primitives of the slot) write, at offset
// 0; a lower bound of the consumers' head (limit) at offset 8; the ring's
// entries from offset RingHeader.
type RingLayout struct {
	Base   unsafe.Pointer // slot 0's header, in per-CPU memory
	Stride uintptr        // the distance between two slots' headers
	// Mask is the ring's size minus one, a power of two minus one: in
	// entries for RingPush and RingPushCopy, in bytes for RecordsPush.
	Mask uint64
	// Step is the distance between two entries for RingPushCopy;
	// RingPush's entries are words, 8 bytes apart.
	Step uintptr
}

// RingHeader is the distance from a slot's ring header to the ring's first
// entry (or byte): two cache lines, the producers' and the consumers'. A
// constant, so that a section addresses entries from the header without
// loading an offset.
const RingHeader = 2 * CacheLine

func (l *RingLayout) hdr(s int) unsafe.Pointer { return unsafe.Add(l.Base, uintptr(s)*l.Stride) }

// ringPushSlow finishes a RingPush the section did not: the Atomic
// backend, a thread without an area yet or without rseq, a stopped slot,
// too many aborts. It is also the contract of RingPush.
func ringPushSlow(l *RingLayout, v uint64) (int, Status) {
	for {
		s := CurrentSlot()
		h := l.hdr(s)
		tail := (*uint64)(h)
		t := atomic.LoadUint64(tail)
		if t-atomic.LoadUint64((*uint64)(unsafe.Add(h, 8))) > l.Mask {
			return s, CmpFailed
		}
		e := (*uint64)(unsafe.Add(h, RingHeader+uintptr(t&l.Mask)*8))
		if CmpStoreStore(s, tail, t, e, v, t+1) == OK {
			return s, OK
		}
		// Moved, or another producer of slot s committed first.
	}
}

// ringPushCopySlow is ringPushSlow for RingPushCopy.
func ringPushCopySlow(l *RingLayout, src unsafe.Pointer, n uintptr) (int, Status) {
	if n > MaxMemcpy {
		panic("cs: RingPushCopy n " + strconv.FormatUint(uint64(n), 10) + " exceeds MaxMemcpy " + strconv.Itoa(MaxMemcpy))
	}
	for {
		s := CurrentSlot()
		h := l.hdr(s)
		tail := (*uint64)(h)
		t := atomic.LoadUint64(tail)
		if t-atomic.LoadUint64((*uint64)(unsafe.Add(h, 8))) > l.Mask {
			return s, CmpFailed
		}
		e := unsafe.Add(h, RingHeader+uintptr(t&l.Mask)*l.Step)
		if CmpMemcpyStore(s, tail, t, e, src, n, t+1) == OK {
			return s, OK
		}
	}
}

// recordsPushSlow is ringPushSlow for RecordsPush.
func recordsPushSlow(l *RingLayout, src unsafe.Pointer, n uintptr, sz uint64) (int, Status) {
	if n > MaxMemcpy {
		panic("cs: RecordsPush n " + strconv.FormatUint(uint64(n), 10) + " exceeds MaxMemcpy " + strconv.Itoa(MaxMemcpy))
	}
	size := l.Mask + 1
	for {
		s := CurrentSlot()
		h := l.hdr(s)
		tail := (*uint64)(h)
		t := atomic.LoadUint64(tail)
		off := t & l.Mask
		if off+sz > size || t+sz-atomic.LoadUint64((*uint64)(unsafe.Add(h, 8))) > size {
			return s, CmpFailed
		}
		if CmpMemcpyStore(s, tail, t, unsafe.Add(h, RingHeader+uintptr(off)), src, n, t+sz) == OK {
			return s, OK
		}
	}
}

// recordsPushGeneric is the generic version of the records section for a
// known slot whose header is h, which the caller holds.
func recordsPushGeneric(h unsafe.Pointer, ring uintptr, size uint64, src unsafe.Pointer, n uintptr, sz uint64) Status {
	tail := (*uint64)(h)
	t := atomic.LoadUint64(tail)
	off := t & (size - 1)
	if off+sz > size || t+sz-atomic.LoadUint64((*uint64)(unsafe.Add(h, 8))) > size {
		return CmpFailed
	}
	copy(unsafe.Slice((*byte)(unsafe.Add(h, ring+uintptr(off))), n), unsafe.Slice((*byte)(src), n))
	atomic.StoreUint64(tail, t+sz)
	return OK
}

// ringPushGeneric is the generic version of the sections for a known slot
// whose header is h, which the caller holds (the tests compare it with the
// asm).
func ringPushGeneric(h unsafe.Pointer, ring uintptr, mask uint64, step uintptr, src unsafe.Pointer, n uintptr) Status {
	tail := (*uint64)(h)
	t := atomic.LoadUint64(tail)
	if t-atomic.LoadUint64((*uint64)(unsafe.Add(h, 8))) > mask {
		return CmpFailed
	}
	copy(unsafe.Slice((*byte)(unsafe.Add(h, ring+uintptr(t&mask)*step)), n), unsafe.Slice((*byte)(src), n))
	atomic.StoreUint64(tail, t+1)
	return OK
}
