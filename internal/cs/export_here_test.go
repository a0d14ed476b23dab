package cs

import "unsafe"

// Export guts for testing: the sections on the current slot.

var (
	StackPopGeneric   = stackPopGeneric
	StackPushGeneric  = stackPushGeneric
	ListPopAtGeneric  = listPopAtGeneric
	ListPushAtGeneric = listPushAtGeneric
)

func RawStackPop(p unsafe.Pointer, stride uintptr) (uint32, Status) {
	x, st := rseqStackPop(p, stride)
	return x, Status(st)
}

func RawStackPush(p unsafe.Pointer, stride uintptr, x uint32, max uint64) Status {
	return Status(rseqStackPush(p, stride, x, max))
}

func RawListPopHere(head unsafe.Pointer, stride, links uintptr, sentinel uint64) (uint64, Status) {
	n, st := rseqListPopHere(head, stride, links, sentinel)
	return n, Status(st)
}

func RawListPushHere(head unsafe.Pointer, stride, links uintptr, node uint64) Status {
	return Status(rseqListPushHere(head, stride, links, node))
}

var ListMoveCopyGeneric = listMoveCopyGeneric

func RawListMoveCopy(d *ListPair, dst unsafe.Pointer) Status {
	return Status(rseqListMoveCopy(d, dst))
}

var (
	PoolGetGeneric = poolGetGeneric
	PoolPutGeneric = poolPutGeneric
)

const StNotObject = stNotObject

func RawPoolGet(l *PoolLayout) (unsafe.Pointer, Status) {
	x, st := rseqPoolGet(l)
	return x, Status(st)
}

func RawPoolPut(l *PoolLayout, x unsafe.Pointer) Status { return Status(rseqPoolPut(l, x)) }
