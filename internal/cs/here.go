package cs

import (
	"strconv"
	"sync/atomic"
	"unsafe"
)

// Sections on the current slot. The primitives in cs.go name their slot,
// so a caller first asks CurrentSlot and retries on Moved: two asm calls
// and a loop. The four below find the slot inside the section, as AddInt64
// does: one call, and never Moved. They serve the per-CPU stacks of
// indices (tcmalloc's per-CPU slab: list.Pool) and the per-CPU linked
// lists of list.PerCPU.
//
// Memory: p (or head) is slot 0's copy; slot s's is at p + s*stride.
//
// A stack of uint32 indices is a uint64 count at its start, then the
// indices, bottom first, from byte 8:
//
//	count := *(*uint64)(top)
//	idx   := (*[max]uint32)(top + 8)
//
// A linked list of uint64 indices is a uint64 head, and the links at byte
// links from it (next[i] at head + links + 8*i).

// stackPopGeneric is the generic version of the stack pop section, on one
// slot's stack.
func stackPopGeneric(top unsafe.Pointer) (uint32, Status) {
	c := (*uint64)(top)
	n := atomic.LoadUint64(c)
	if n == 0 {
		return 0, CmpFailed
	}
	x := atomic.LoadUint32((*uint32)(unsafe.Add(top, 8+4*(uintptr(n)-1))))
	atomic.StoreUint64(c, n-1)
	return x, OK
}

// stackPushGeneric is the generic version of the stack push section.
func stackPushGeneric(top unsafe.Pointer, x uint32, max uint64) Status {
	c := (*uint64)(top)
	n := atomic.LoadUint64(c)
	if n >= max {
		return CmpFailed
	}
	atomic.StoreUint32((*uint32)(unsafe.Add(top, 8+4*uintptr(n))), x)
	atomic.StoreUint64(c, n+1)
	return OK
}

// listPopAtGeneric is the generic version of the list pop section, on one
// slot's list.
func listPopAtGeneric(head unsafe.Pointer, links uintptr, sentinel uint64) (uint64, Status) {
	return listPopGeneric((*uint64)(head), unsafe.Add(head, links), sentinel)
}

// listPushAtGeneric is the generic version of the list push section.
func listPushAtGeneric(head unsafe.Pointer, links uintptr, node uint64) {
	h := (*uint64)(head)
	old := atomic.LoadUint64(h)
	atomic.StoreUint64((*uint64)(unsafe.Add(head, links+8*uintptr(node))), old)
	atomic.StoreUint64(h, node)
}

func stackPopSlow(p unsafe.Pointer, stride uintptr) (x uint32, st Status) {
	for rseqOn {
		x, st32 := rseqStackPop(p, stride)
		if st := Status(st32); st == OK || st == CmpFailed {
			return x, st
		} else if !retryFast(st) {
			break
		}
	}
	stuck(func(s int) { x, st = stackPopGeneric(unsafe.Add(p, uintptr(s)*stride)) })
	return x, st
}

func stackPushSlow(p unsafe.Pointer, stride uintptr, x uint32, max uint64) (st Status) {
	for rseqOn {
		if st := Status(rseqStackPush(p, stride, x, max)); st == OK || st == CmpFailed {
			return st
		} else if !retryFast(st) {
			break
		}
	}
	stuck(func(s int) { st = stackPushGeneric(unsafe.Add(p, uintptr(s)*stride), x, max) })
	return st
}

func listPopHereSlow(head unsafe.Pointer, stride, links uintptr, sentinel uint64) (node uint64, st Status) {
	for rseqOn {
		n, st32 := rseqListPopHere(head, stride, links, sentinel)
		if st := Status(st32); st == OK || st == CmpFailed {
			return n, st
		} else if !retryFast(st) {
			break
		}
	}
	stuck(func(s int) { node, st = listPopAtGeneric(unsafe.Add(head, uintptr(s)*stride), links, sentinel) })
	return node, st
}

func listPushHereSlow(head unsafe.Pointer, stride, links uintptr, node uint64) {
	for rseqOn {
		if st := Status(rseqListPushHere(head, stride, links, node)); st == OK {
			return
		} else if !retryFast(st) {
			break
		}
	}
	stuck(func(s int) { listPushAtGeneric(unsafe.Add(head, uintptr(s)*stride), links, node) })
}

// ExclusivePair runs f with slots a and b stopped, as Exclusive does for
// one, with a single fence: list.PerCPU moves a batch of nodes from one
// CPU's list to another's with both stopped, so that no node is ever in
// flight outside a list. Stop words are taken in slot order, so pairs and
// ExclusiveAll never deadlock. It panics if a or b is out of range.
func ExclusivePair(a, b int, f func()) {
	if a == b {
		Exclusive(a, f)
		return
	}
	if uint(a) >= uint(nslots) || uint(b) >= uint(nslots) {
		panic("cs: ExclusivePair slots " + strconv.Itoa(a) + ", " + strconv.Itoa(b) + " out of range [0, " + strconv.Itoa(nslots) + ")")
	}
	lo, hi := min(a, b), max(a, b)
	lockSlot(lo)
	lockSlot(hi)
	defer func() {
		unlockSlot(hi)
		unlockSlot(lo)
	}()
	if rseqOn {
		fence(-1)
	}
	f()
}

// ListPair describes per-slot memory that holds two linked lists of nodes,
// each with its own links, with one value per node in an array outside it:
// list.PerCPU's layout for values without pointers (values on list A, free
// nodes on list B). Slot s's copy is at Base + s*Stride:
//
//	headA uint64 at 0          // list A's first node; ^0 ends a list
//	headB uint64 at 8          // list B's first node
//	nextA [n]uint64 at LinksA  // list A's links
//	nextB [n]uint64 at LinksB  // list B's links
//
// and node x's value is Size bytes at Values + x*Size, shared by the slots.
type ListPair struct {
	Base   unsafe.Pointer
	Stride uintptr
	LinksA uintptr
	LinksB uintptr
	Values unsafe.Pointer
	Size   uintptr // at most MaxMemcpy
}

// listEnd ends a ListPair's lists.
const listEnd = ^uint64(0)

// listMoveCopyGeneric is the generic version of the list move-copy
// section, on one slot's copy (top).
func listMoveCopyGeneric(top unsafe.Pointer, d *ListPair, dst unsafe.Pointer) Status {
	ha, hb := (*uint64)(top), (*uint64)(unsafe.Add(top, 8))
	x := atomic.LoadUint64(ha)
	if x == listEnd {
		return CmpFailed
	}
	copy(unsafe.Slice((*byte)(dst), d.Size), unsafe.Slice((*byte)(unsafe.Add(d.Values, uintptr(x)*d.Size)), d.Size))
	atomic.StoreUint64((*uint64)(unsafe.Add(top, d.LinksB+8*uintptr(x))), atomic.LoadUint64(hb))
	atomic.StoreUint64(ha, atomic.LoadUint64((*uint64)(unsafe.Add(top, d.LinksA+8*uintptr(x)))))
	atomic.StoreUint64(hb, x)
	return OK
}

func listMoveCopySlow(d *ListPair, dst unsafe.Pointer) (st Status) {
	if d.Size > MaxMemcpy {
		panic("cs: ListMoveCopy of " + strconv.FormatUint(uint64(d.Size), 10) + " bytes, more than MaxMemcpy")
	}
	for rseqOn {
		if st := Status(rseqListMoveCopy(d, dst)); st == OK || st == CmpFailed {
			return st
		} else if !retryFast(st) {
			break
		}
	}
	stuck(func(s int) { st = listMoveCopyGeneric(unsafe.Add(d.Base, uintptr(s)*d.Stride), d, dst) })
	return st
}
