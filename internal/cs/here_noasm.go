//go:build !linux || !(amd64 || arm64) || !gc || purego

package cs

import "unsafe"

// StackPop pops the top index of the current slot's stack; see
// here_linux.go for the contract.
func StackPop(p unsafe.Pointer, stride uintptr) (uint32, Status) { return stackPopSlow(p, stride) }

// StackPush pushes x on the current slot's stack unless it holds max.
func StackPush(p unsafe.Pointer, stride uintptr, x uint32, max uint64) Status {
	return stackPushSlow(p, stride, x, max)
}

// ListPopHere is ListPop on the current slot's list.
func ListPopHere(head unsafe.Pointer, stride, links uintptr, sentinel uint64) (uint64, Status) {
	return listPopHereSlow(head, stride, links, sentinel)
}

// ListPushHere pushes node on the current slot's list.
func ListPushHere(head unsafe.Pointer, stride, links uintptr, node uint64) {
	listPushHereSlow(head, stride, links, node)
}

// ListMoveCopy moves the first node of the current slot's list A to its
// list B, copying its value to dst.
func ListMoveCopy(d *ListPair, dst unsafe.Pointer) Status { return listMoveCopySlow(d, dst) }

func rseqListMoveCopy(d *ListPair, dst unsafe.Pointer) uint32 { return uint32(stNoRSEQ) }

func rseqStackPop(p unsafe.Pointer, stride uintptr) (uint32, uint32) { return 0, uint32(stNoRSEQ) }

func rseqStackPush(p unsafe.Pointer, stride uintptr, x uint32, max uint64) uint32 {
	return uint32(stNoRSEQ)
}

func rseqListPopHere(head unsafe.Pointer, stride, links uintptr, sentinel uint64) (uint64, uint32) {
	return 0, uint32(stNoRSEQ)
}

func rseqListPushHere(head unsafe.Pointer, stride, links uintptr, node uint64) uint32 {
	return uint32(stNoRSEQ)
}
