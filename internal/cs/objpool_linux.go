//go:build gc && !purego && (amd64 || arm64)

package cs

import (
	"fmt"
	"unsafe"
)

// The pool sections (objpool_amd64.h, objpool_arm64.h), in a table of
// their own (poolText, poolDescs: indices osec...), read through OPROLOGUE.
const (
	osecRseqPoolGet = iota
	osecRseqPoolPut
	osecPoolGet
	osecPoolPut
	nPoolSections
)

var poolDescs, poolText [nPoolSections]uintptr

var _ = func() int {
	archSections = append(archSections, sectionTable{poolText[:], poolDescs[:]})
	archSelfChecks = append(archSelfChecks, selfCheckPool)
	return 0
}()

// PoolGet pops an index from the current slot's stack of l (see
// PoolLayout) and returns its object, in one critical section:
//
//	top := l.Stacks + slot*l.Stride
//	c := *(*uint64)(top)
//	if c == 0 { return l.GetSlow(l) }
//	i := (*[max]uint32)(top + 8)[c-1]
//	*(*uint64)(top) = c - 1
//	return l.Objs + i*l.Size
//
// Every other outcome (the Atomic backend included) returns l.GetSlow(l),
// which the asm calls (amd64: from its own exit, with Go's register
// convention; arm64: through poolGetSlow, by a tail jump).
//
//go:noescape
func PoolGet(l *PoolLayout) unsafe.Pointer

// PoolPut pushes the index of object x on the current slot's stack of l,
// in one critical section:
//
//	i := PoolIndex(l, x)
//	if i >= l.N { l.PutSlow(l, x); return }   // not an object
//	top := l.Stacks + slot*l.Stride
//	c := *(*uint64)(top)
//	if c >= l.Max { l.PutSlow(l, x); return }
//	(*[max]uint32)(top + 8)[c] = i    // try-store
//	*(*uint64)(top) = c + 1
//
// Every other outcome (the Atomic backend included) calls l.PutSlow(l, x).
//
//go:noescape
func PoolPut(l *PoolLayout, x unsafe.Pointer)

//go:noescape
func rseqPoolGet(l *PoolLayout) (x unsafe.Pointer, st uint32)

//go:noescape
func rseqPoolPut(l *PoolLayout, x unsafe.Pointer) uint32

// selfCheckPool runs both pool sections once on m, with every slot's copy
// alike (bytes 0 to 64: a stack of up to 8 indices holding 5, 7), on an
// array of 9 objects of 24 bytes.
func selfCheckPool(m Mem) error {
	for s := range nslots {
		w := unsafe.Slice((*uint64)(m.Slot(s)), 8)
		clear(w)
		w[0] = 2
		w[1] = 5 | 7<<32
	}
	sum := func() (n uint64) {
		for s := range nslots {
			n += *(*uint64)(m.Slot(s))
		}
		return n
	}
	var objs [9][3]uint64
	l := PoolLayout{Stacks: m.Base(), Stride: m.Stride(), Max: 8, Objs: unsafe.Pointer(&objs), Size: 24, Shift: 3, N: 9}
	l.Inv = 0xaaaaaaaaaaaaaaab // the inverse of 3
	x, st := rseqPoolGet(&l)
	if Status(st) != OK || x != unsafe.Pointer(&objs[7]) || sum() != 2*uint64(nslots)-1 {
		return fmt.Errorf("pool get: %v, object %p (want %p), counts %d", Status(st), x, &objs[7], sum())
	}
	if st := rseqPoolPut(&l, unsafe.Pointer(&objs[4])); Status(st) != OK || sum() != 2*uint64(nslots) {
		return fmt.Errorf("pool put: %v, counts %d", Status(st), sum())
	}
	found := false
	for s := range nslots {
		w := (*[8]uint32)(unsafe.Add(m.Slot(s), 8))
		c := *(*uint64)(m.Slot(s))
		found = found || c == 2 && w[1] == 4 || c == 3 && w[2] == 4
	}
	if !found {
		return fmt.Errorf("pool put: index 4 on no stack's top")
	}
	full := l
	full.Max = 0
	if st := rseqPoolPut(&full, unsafe.Pointer(&objs[4])); Status(st) != CmpFailed || sum() != 2*uint64(nslots) {
		return fmt.Errorf("pool put on a full stack: %v, counts %d", Status(st), sum())
	}
	if st := rseqPoolPut(&l, unsafe.Add(unsafe.Pointer(&objs[4]), 8)); Status(st) != stNotObject || sum() != 2*uint64(nslots) {
		return fmt.Errorf("pool put of an interior pointer: %v, counts %d", Status(st), sum())
	}
	return nil
}
