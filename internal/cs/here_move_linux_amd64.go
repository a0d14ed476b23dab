//go:build gc && !purego

package cs

import (
	"fmt"
	"unsafe"
)

// The list move-copy section exists on amd64 only (its commit is one
// 16-byte store, see here_amd64.h), in a table of its own (pairText,
// pairDescs: indices psec...), read through PAIRPROLOGUE; on arm64
// ListMoveCopy is two sections (here_move_linux_arm64.go).
const (
	psecRseqListMoveCopy = iota
	psecListMoveCopy
	nPairSections
)

var pairDescs, pairText [nPairSections]uintptr

var _ = func() int {
	archSections = append(archSections, sectionTable{pairText[:], pairDescs[:]})
	archSelfChecks = append(archSelfChecks, selfCheckMoveCopy)
	return 0
}()

// ListMoveCopy moves the first node of the current slot's list A to its
// list B, copying the node's value to dst on the way, atomically with
// respect to every other primitive on the slot (see ListPair for the
// layout):
//
//	top := d.Base + slot*d.Stride
//	x := headA
//	if x == ^0 { return CmpFailed }
//	copy d.Size bytes from d.Values + x*d.Size to dst
//	nextB[x] = headB                  // try-store
//	headA, headB = nextA[x], x        // one store of both words: the commit
//	return OK
//
// After CmpFailed dst may hold part of a value. The copy has no write
// barrier, and copies every aligned 8-byte word whole (here with one load
// and one store, in the Go versions with memmove, which does the same): so
// either the values hold no Go pointers, or dst is memory that needs no
// barrier (a stack variable) and the copied pointers stay in the values,
// where the garbage collector finds them, until Go code overwrites them
// (list.PerCPU). d.Size above MaxMemcpy panics.
//
//go:noescape
func ListMoveCopy(d *ListPair, dst unsafe.Pointer) Status

//go:noescape
func rseqListMoveCopy(d *ListPair, dst unsafe.Pointer) uint32

// selfCheckMoveCopy runs the section once on m (256 bytes per slot, whose
// bytes from 128 it clears), with every slot's copy alike: list A 1 -> 0,
// list B empty, links A at 16 and B at 32 bytes from the heads.
func selfCheckMoveCopy(m Mem) error {
	for s := range nslots {
		w := unsafe.Slice((*uint64)(unsafe.Add(m.Slot(s), 128)), 8)
		clear(w)
		w[0], w[1] = 1, listEnd
		w[2], w[3] = listEnd, 0
	}
	sum := func(word int) (n uint64) {
		for s := range nslots {
			n += *(*uint64)(unsafe.Add(m.Slot(s), 128+8*word))
		}
		return n
	}
	vals := [2]uint64{0x1111, 0x2222}
	var got uint64
	d := ListPair{Base: unsafe.Add(m.Base(), 128), Stride: m.Stride(), LinksA: 16, LinksB: 32, Values: unsafe.Pointer(&vals), Size: 8}
	st := rseqListMoveCopy(&d, unsafe.Pointer(&got))
	// One slot now has list A 0 -> end and list B 1 -> end.
	if Status(st) != OK || got != 0x2222 || sum(0) != uint64(nslots)-1 || sum(1) != (uint64(nslots)-1)*listEnd+1 || sum(5) != listEnd {
		return fmt.Errorf("list move-copy: %v, value %#x, heads %#x %#x", Status(st), got, sum(0), sum(1))
	}
	return nil
}
