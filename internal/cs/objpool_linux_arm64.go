//go:build gc && !purego

package cs

import "unsafe"

// PoolGet and PoolPut on arm64 are the stack sections (StackPop,
// StackPush) with the object's address computed in Go: one section each,
// two calls. See objpool_linux_amd64.go for the contract.
func PoolGet(l *PoolLayout) unsafe.Pointer {
	if rseqOn {
		if i, st := StackPop(l.Stacks, l.Stride); st == OK {
			return unsafe.Add(l.Objs, uintptr(i)*l.Size)
		}
	}
	return l.GetSlow(l)
}

// PoolPut pushes the index of object x on the current slot's stack of l,
// or calls l.PutSlow(l, x).
func PoolPut(l *PoolLayout, x unsafe.Pointer) {
	if i := PoolIndex(l, x); rseqOn && i < l.N && StackPush(l.Stacks, l.Stride, uint32(i), l.Max) == OK {
		return
	}
	l.PutSlow(l, x)
}

// rseqPoolGet and rseqPoolPut are the raw stack sections with the pool's
// arithmetic, for the tests.
func rseqPoolGet(l *PoolLayout) (unsafe.Pointer, uint32) {
	i, st := rseqStackPop(l.Stacks, l.Stride)
	if Status(st) != OK {
		return nil, st
	}
	return unsafe.Add(l.Objs, uintptr(i)*l.Size), st
}

func rseqPoolPut(l *PoolLayout, x unsafe.Pointer) uint32 {
	i := PoolIndex(l, x)
	if i >= l.N {
		return uint32(stNotObject)
	}
	return rseqStackPush(l.Stacks, l.Stride, uint32(i), l.Max)
}
