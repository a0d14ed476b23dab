package cs

import (
	"math/bits"
	"sync/atomic"
	"unsafe"
)

// PoolLayout describes an object pool (list.Pool) for PoolGet and PoolPut:
// a fixed array of N objects, Size bytes apart from Objs, and per slot a
// stack of free objects' indices in per-CPU memory (the layout of StackPop
// and StackPush: a uint64 count at Stacks + s*Stride, then up to Max uint32
// indices from byte 8). The owner fills it once, before the first call, and
// never changes it; it may hold Go pointers (it lives in Go memory).
//
// An object's index comes from its address by exact division: with Size =
// d<<Shift, d odd, and Inv the inverse of d modulo 2^64, the offset off
// from Objs maps to rotate_right(off*Inv, Shift), which is the index for
// an object's offset and at least N for every other address (Granlund and
// Montgomery). PoolIndex computes it.
//
// GetSlow and PutSlow finish every call that PoolGet and PoolPut do not:
// they must do the whole job, as if no section had run (an empty or full
// stack, a thread without rseq, a stopped slot, too many aborts, the
// Atomic backend, an address that is not an object's; on platforms without
// the sections, every call). PoolGet and PoolPut are declared noescape:
// the hooks must not keep l or x beyond the call.
type PoolLayout struct {
	Stacks  unsafe.Pointer // slot 0's stack
	Stride  uintptr        // distance between two slots' stacks
	Max     uint64         // indices one stack holds
	Objs    unsafe.Pointer // object 0
	Size    uintptr        // distance between two objects
	Inv     uintptr        // the inverse of Size's odd factor
	Shift   uintptr        // Size = odd factor << Shift
	N       uintptr        // objects
	GetSlow func(l *PoolLayout) unsafe.Pointer
	PutSlow func(l *PoolLayout, x unsafe.Pointer)
}

// PoolIndex returns x's index in l's array when x points at one of its
// objects, and a number of at least l.N otherwise.
func PoolIndex(l *PoolLayout, x unsafe.Pointer) uintptr {
	return PoolIndexAt(l, uintptr(x)-uintptr(l.Objs))
}

// PoolIndexAt is PoolIndex for the address at offset off from object 0
// (for an offset that no pointer may hold, as in tests).
func PoolIndexAt(l *PoolLayout, off uintptr) uintptr {
	return uintptr(bits.RotateLeft(uint(off*l.Inv), -int(l.Shift)))
}

// stNotObject is the raw pool put's status for an address that is not one
// of the pool's objects.
const stNotObject Status = 100

// poolGetGeneric is the generic version of the pool get section, on one
// slot's stack (top): the object of the popped index.
func poolGetGeneric(top unsafe.Pointer, l *PoolLayout) (unsafe.Pointer, Status) {
	i, st := stackPopGeneric(top)
	if st != OK {
		return nil, st
	}
	return unsafe.Add(l.Objs, uintptr(i)*l.Size), OK
}

// poolPutGeneric is the generic version of the pool put section.
func poolPutGeneric(top unsafe.Pointer, l *PoolLayout, x unsafe.Pointer) Status {
	i := PoolIndex(l, x)
	if i >= l.N {
		return stNotObject
	}
	c := (*uint64)(top)
	n := atomic.LoadUint64(c)
	if n >= l.Max {
		return CmpFailed
	}
	atomic.StoreUint32((*uint32)(unsafe.Add(top, 8+4*uintptr(n))), uint32(i))
	atomic.StoreUint64(c, n+1)
	return OK
}
