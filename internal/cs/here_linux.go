//go:build gc && !purego && (amd64 || arm64)

package cs

import (
	"fmt"
	"unsafe"
)

// The sections on the current slot (see here.go, here_amd64.h and
// here_arm64.h).

// StackPop pops the top index of the current slot's stack of uint32
// indices, atomically with respect to every other primitive on the slot:
//
//	top := p + slot*stride            // the current slot's stack
//	c := *(*uint64)(top)
//	if c == 0 { return 0, CmpFailed }
//	x := (*[max]uint32)(top + 8)[c-1]
//	*(*uint64)(top) = c - 1
//	return x, OK
//
// It finds the slot itself: one call, and never Moved.
//
//go:noescape
func StackPop(p unsafe.Pointer, stride uintptr) (uint32, Status)

// StackPush pushes x on the current slot's stack of indices unless it holds
// max already, atomically with respect to every other primitive on the
// slot:
//
//	top := p + slot*stride
//	c := *(*uint64)(top)
//	if c >= max { return CmpFailed }
//	(*[max]uint32)(top + 8)[c] = x    // try-store
//	*(*uint64)(top) = c + 1
//	return OK
//
//go:noescape
func StackPush(p unsafe.Pointer, stride uintptr, x uint32, max uint64) Status

// ListPopHere is ListPop on the current slot's list, found by the section:
//
//	h := head + slot*stride
//	node := *h
//	if node == sentinel { return node, CmpFailed }
//	*h = (*[n]uint64)(h + links)[node]
//	return node, OK
//
//go:noescape
func ListPopHere(head unsafe.Pointer, stride, links uintptr, sentinel uint64) (uint64, Status)

// ListPushHere pushes node, which the caller owns, on the current slot's
// list:
//
//	h := head + slot*stride
//	(*[n]uint64)(h + links)[node] = *h   // try-store
//	*h = node
//
// It always succeeds.
//
//go:noescape
func ListPushHere(head unsafe.Pointer, stride, links uintptr, node uint64)

//go:noescape
func rseqStackPop(p unsafe.Pointer, stride uintptr) (x uint32, st uint32)

//go:noescape
func rseqStackPush(p unsafe.Pointer, stride uintptr, x uint32, max uint64) uint32

//go:noescape
func rseqListPopHere(head unsafe.Pointer, stride, links uintptr, sentinel uint64) (node uint64, st uint32)

//go:noescape
func rseqListPushHere(head unsafe.Pointer, stride, links uintptr, node uint64) uint32

// selfCheckHere runs each section on the current slot once, with every
// slot's copy of m alike, so that the result does not depend on the slot
// the thread is on, and checks the copies afterwards.
func selfCheckHere(m Mem) error {
	for s := range nslots {
		w := unsafe.Slice((*uint64)(m.Slot(s)), 16)
		clear(w)
		w[0] = 2                  // a stack of two indices: 5, 7
		w[1] = 5 | 7<<32          // (little-endian u32s at byte 8)
		w[4] = 3                  // a list at w[4]: 3 -> 1 -> end (9)
		w[4+1+3], w[4+1+1] = 1, 9 // links at w[5]
	}
	base := m.Base()
	sum := func(word int) (n uint64) {
		for s := range nslots {
			n += *(*uint64)(unsafe.Add(m.Slot(s), 8*word))
		}
		return n
	}
	if x, st := rseqStackPop(base, m.Stride()); Status(st) != OK || x != 7 || sum(0) != 2*uint64(nslots)-1 {
		return fmt.Errorf("stack pop: %v, index %d, counts %d", Status(st), x, sum(0))
	}
	if st := rseqStackPush(base, m.Stride(), 11, 8); Status(st) != OK || sum(0) != 2*uint64(nslots) {
		return fmt.Errorf("stack push: %v, counts %d", Status(st), sum(0))
	}
	if st := rseqStackPush(base, m.Stride(), 11, 0); Status(st) != CmpFailed || sum(0) != 2*uint64(nslots) {
		return fmt.Errorf("stack push on a full stack: %v, counts %d", Status(st), sum(0))
	}
	head := unsafe.Add(base, 32)
	if node, st := rseqListPopHere(head, m.Stride(), 8, 9); Status(st) != OK || node != 3 || sum(4) != 3*uint64(nslots)-2 {
		return fmt.Errorf("list pop: %v, node %d, heads %d", Status(st), node, sum(4))
	}
	// Node 2 becomes some slot's head: where the pop ran (head 1), or
	// another (head 3); its link there is the old head.
	if st := rseqListPushHere(head, m.Stride(), 8, 2); Status(st) != OK {
		return fmt.Errorf("list push: %v", Status(st))
	}
	if h := sum(4); h != 3*uint64(nslots)-1 && h != 3*uint64(nslots)-3 {
		return fmt.Errorf("list push: heads sum to %d", h)
	}
	return nil
}
