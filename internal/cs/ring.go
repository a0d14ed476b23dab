package cs

import (
	"strconv"
	"sync/atomic"
	"unsafe"
)

// The ring push primitives (package ringbuf's Ring.Push): on linux/amd64
// and linux/arm64 each is one critical section (ring_amd64.h, ring_arm64.h,
// ring_linux.go);
// elsewhere, and for everything the section does not finish, they are the
// Go functions below, built on CurrentSlot and CmpStoreStore or
// CmpMemcpyStore.
//
// The layout they assume, per slot (slot s's header at p + s*stride): the
// tail, a uint64 that only these primitives (and other primitives of the
// slot) write, at offset 0; a lower bound of the consumers' head at offset
// 8; the ring's entries, mask+1 of them step bytes apart, at offset ring.

// ringPushSlow finishes a RingPush the section did not: the Atomic
// backend, a thread without an area yet or without rseq, a stopped slot,
// too many aborts. It is also the contract of RingPush.
func ringPushSlow(p unsafe.Pointer, stride, ring uintptr, mask uint64, step uintptr, v uint64) (int, Status) {
	for {
		s := CurrentSlot()
		h := unsafe.Add(p, uintptr(s)*stride)
		tail := (*uint64)(h)
		t := atomic.LoadUint64(tail)
		if t-atomic.LoadUint64((*uint64)(unsafe.Add(h, 8))) > mask {
			return s, CmpFailed
		}
		e := (*uint64)(unsafe.Add(h, ring+uintptr(t&mask)*step))
		if CmpStoreStore(s, tail, t, e, v, t+1) == OK {
			return s, OK
		}
		// Moved, or another producer of slot s committed first.
	}
}

// ringPushCopySlow is ringPushSlow for RingPushCopy.
func ringPushCopySlow(p unsafe.Pointer, stride, ring uintptr, mask uint64, step uintptr, src unsafe.Pointer, n uintptr) (int, Status) {
	if n > MaxMemcpy {
		panic("cs: RingPushCopy n " + strconv.FormatUint(uint64(n), 10) + " exceeds MaxMemcpy " + strconv.Itoa(MaxMemcpy))
	}
	for {
		s := CurrentSlot()
		h := unsafe.Add(p, uintptr(s)*stride)
		tail := (*uint64)(h)
		t := atomic.LoadUint64(tail)
		if t-atomic.LoadUint64((*uint64)(unsafe.Add(h, 8))) > mask {
			return s, CmpFailed
		}
		e := unsafe.Add(h, ring+uintptr(t&mask)*step)
		if CmpMemcpyStore(s, tail, t, e, src, n, t+1) == OK {
			return s, OK
		}
	}
}

// recordsPushSlow is ringPushSlow for RecordsPush.
func recordsPushSlow(p unsafe.Pointer, stride, ring uintptr, size uint64, src unsafe.Pointer, n uintptr, sz uint64) (int, Status) {
	if n > MaxMemcpy {
		panic("cs: RecordsPush n " + strconv.FormatUint(uint64(n), 10) + " exceeds MaxMemcpy " + strconv.Itoa(MaxMemcpy))
	}
	for {
		s := CurrentSlot()
		h := unsafe.Add(p, uintptr(s)*stride)
		tail := (*uint64)(h)
		t := atomic.LoadUint64(tail)
		off := t & (size - 1)
		if off+sz > size || t+sz-atomic.LoadUint64((*uint64)(unsafe.Add(h, 8))) > size {
			return s, CmpFailed
		}
		if CmpMemcpyStore(s, tail, t, unsafe.Add(h, ring+uintptr(off)), src, n, t+sz) == OK {
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
