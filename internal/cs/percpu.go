package cs

import (
	"sync/atomic"
	"unsafe"
)

// PerCPULayout describes list.PerCPU's per-slot lists for PerCPUPop,
// PerCPUClaim and PerCPUPublish: per slot, at Base + s*Stride, two linked
// lists of node indices, each with its own links (as a ListPair):
//
//	headA uint64 at 0          // values: the nodes Pop takes; ^0 ends a list
//	headB uint64 at 8          // free nodes: the nodes Push fills
//	nextA [n]uint64 at LinksA  // list A's links, from the slot's copy
//	nextB [n]uint64 at LinksB  // list B's links
//
// and node x's value, Size bytes at Values + x*Size, in Go memory shared by
// the slots. The owner fills the layout once, before the first call, and
// never changes it; it lives in Go memory and may hold Go pointers.
//
// Copy is the number of bytes PerCPUPop's section copies (Size, at most
// MaxMemcpy); above MaxMemcpy, every PerCPUPop calls PopSlow. PopSlow
// finishes every PerCPUPop that the section does not: it must do the whole
// job, as if no section had run (an empty list A, a thread without rseq, a
// stopped slot, too many aborts, the Atomic backend; on platforms without
// the section, every call but the composed fast path). PerCPUPop is
// declared noescape: PopSlow must not keep l or dst beyond the call.
type PerCPULayout struct {
	Base    unsafe.Pointer
	Stride  uintptr
	LinksA  uintptr
	LinksB  uintptr
	Values  unsafe.Pointer
	Size    uintptr
	Copy    uintptr
	PopSlow func(l *PerCPULayout, dst unsafe.Pointer) bool
}

// perCPUPopGeneric is the generic version of the PerCPU pop section, on
// one slot's copy (top): list move-copy from list A to list B.
func perCPUPopGeneric(top unsafe.Pointer, l *PerCPULayout, dst unsafe.Pointer) Status {
	ha, hb := (*uint64)(top), (*uint64)(unsafe.Add(top, 8))
	x := atomic.LoadUint64(ha)
	if x == listEnd {
		return CmpFailed
	}
	copy(unsafe.Slice((*byte)(dst), l.Copy), unsafe.Slice((*byte)(unsafe.Add(l.Values, uintptr(x)*l.Size)), l.Copy))
	atomic.StoreUint64((*uint64)(unsafe.Add(top, l.LinksB+8*uintptr(x))), atomic.LoadUint64(hb))
	atomic.StoreUint64(ha, atomic.LoadUint64((*uint64)(unsafe.Add(top, l.LinksA+8*uintptr(x)))))
	atomic.StoreUint64(hb, x)
	return OK
}

// perCPUClaimGeneric is the generic version of the PerCPU claim section:
// list pop on list B, and the popped node's value address.
func perCPUClaimGeneric(top unsafe.Pointer, l *PerCPULayout) (unsafe.Pointer, uint64, Status) {
	x, st := listPopAtGeneric(unsafe.Add(top, 8), l.LinksB-8, listEnd)
	if st != OK {
		return nil, 0, st
	}
	return unsafe.Add(l.Values, uintptr(x)*l.Size), x, OK
}

// perCPUPublishGeneric is the generic version of the PerCPU publish
// section: list push of node x on list A.
func perCPUPublishGeneric(top unsafe.Pointer, l *PerCPULayout, x uint64) {
	listPushAtGeneric(top, l.LinksA, x)
}

// perCPUPublishSlow finishes every PerCPUPublish the section does not.
func perCPUPublishSlow(l *PerCPULayout, x uint64) {
	for rseqOn {
		if st := Status(rseqPerCPUPublish(l, x)); st == OK {
			return
		} else if !retryFast(st) {
			break
		}
	}
	stuck(func(s int) { perCPUPublishGeneric(unsafe.Add(l.Base, uintptr(s)*l.Stride), l, x) })
}
