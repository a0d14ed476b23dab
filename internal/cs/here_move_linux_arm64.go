//go:build gc && !purego

package cs

import "unsafe"

// ListMoveCopy moves the first node of the current slot's list A to its
// list B, copying the node's value to dst on the way. On arm64 (no
// move-copy section: its commit would be a store pair, which an
// architecture may leave half done when it faults) it is two sections:
// ListPopHere on list A, the copy, ListPushHere on list B of the slot the
// thread is on then; in between the node is the caller's alone, on no
// list. See here_move_linux_amd64.go for the contract.
func ListMoveCopy(d *ListPair, dst unsafe.Pointer) Status {
	x, st := ListPopHere(d.Base, d.Stride, d.LinksA, listEnd)
	if st != OK {
		return st
	}
	copy(unsafe.Slice((*byte)(dst), d.Size), unsafe.Slice((*byte)(unsafe.Add(d.Values, uintptr(x)*d.Size)), d.Size))
	ListPushHere(unsafe.Add(d.Base, 8), d.Stride, d.LinksB-8, x)
	return OK
}

// rseqListMoveCopy is ListMoveCopy here, for the tests.
func rseqListMoveCopy(d *ListPair, dst unsafe.Pointer) uint32 { return uint32(ListMoveCopy(d, dst)) }
