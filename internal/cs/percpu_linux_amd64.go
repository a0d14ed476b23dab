//go:build gc && !purego

package cs

import (
	"fmt"
	"unsafe"
)

// The PerCPU sections (percpu_amd64.h), list.PerCPU's Pop (one call) and
// Push (two), in a table of their own (perCPUText, perCPUDescs: indices
// csec...), read through CPROLOGUE. On arm64 the three entry points are
// composed of the sections on the current slot (percpu_other.go), as
// ListMoveCopy is there.
const (
	csecRseqPerCPUPop = iota
	csecRseqPerCPUClaim
	csecRseqPerCPUPublish
	csecPerCPUPop
	csecPerCPUClaim
	csecPerCPUPublish
	nPerCPUSections
)

const perCPUSections = true

var perCPUDescs, perCPUText [nPerCPUSections]uintptr

var _ = func() int {
	archSections = append(archSections, sectionTable{perCPUText[:], perCPUDescs[:]})
	archSelfChecks = append(archSelfChecks, selfCheckPerCPU)
	return 0
}()

// PerCPUPop moves the first node of the current slot's list A to its list
// B, copying the node's value to dst on the way, in one critical section
// (see PerCPULayout):
//
//	top := l.Base + slot*l.Stride
//	x := headA
//	if x == ^0 { return l.PopSlow(l, dst) }
//	copy l.Copy bytes from l.Values + x*l.Size to dst   // try-stores
//	nextB[x] = headB                                     // try-store
//	headA, headB = nextA[x], x     // one 16-byte store: the commit
//	return true
//
// Every other outcome (the Atomic backend, l.Copy above MaxMemcpy
// included) returns l.PopSlow(l, dst), which the asm calls from its own
// exit with Go's register convention.
//
// The copy has no write barrier, and copies every aligned 8-byte word
// whole. So either the values hold no Go pointers, or dst must be a
// variable on the caller's own stack (a local of the function that calls
// PerCPUPop, or of the function it is inlined into, whose address does not
// escape, so that the compiler keeps it on the stack), and the copied
// pointers stay in the values, where the garbage collector finds them,
// until Go code overwrites them (list.PerCPU's Push, or its cleaner). A
// stack slot needs no barrier: the collector scans stacks whole. After an
// aborted attempt dst may hold part of a value, which the retry or
// PopSlow overwrites.
//
//go:noescape
func PerCPUPop(l *PerCPULayout, dst unsafe.Pointer) bool

// PerCPUClaim pops the first node of the current slot's list B, in one
// critical section, and returns the address of its value and its index:
//
//	top := l.Base + slot*l.Stride
//	x := headB
//	if x == ^0 { return nil, 0 }
//	headB = nextB[x]               // the commit
//	return l.Values + x*l.Size, x
//
// Every other outcome (the Atomic backend, no rseq on this thread, a
// stopped slot, the abort bound) returns nil too, with nothing done: the
// caller finishes with the general primitives (ListPopHere). The node is
// then the caller's alone, on no list; p is an ordinary pointer into the
// values, which the caller writes with Go's barriers before it publishes
// the node.
//
//go:noescape
func PerCPUClaim(l *PerCPULayout) (p unsafe.Pointer, x uint64)

// PerCPUPublish pushes node x, which the caller owns, on the current
// slot's list A, in one critical section:
//
//	top := l.Base + slot*l.Stride
//	nextA[x] = headA               // try-store
//	headA = x                      // the commit
//
// It always succeeds (the slow cases finish in Go).
//
//go:noescape
func PerCPUPublish(l *PerCPULayout, x uint64)

//go:noescape
func rseqPerCPUPop(l *PerCPULayout, dst unsafe.Pointer) uint32

//go:noescape
func rseqPerCPUClaim(l *PerCPULayout) (p unsafe.Pointer, x uint64, st uint32)

//go:noescape
func rseqPerCPUPublish(l *PerCPULayout, x uint64) uint32

// selfCheckPerCPU runs the three raw sections once on m (bytes 0 to 128 of
// each slot, which it clears), with every slot's copy alike: list A 1 -> 0,
// list B empty, links A at 16 and B at 32 bytes from the heads.
func selfCheckPerCPU(m Mem) error {
	for s := range nslots {
		w := unsafe.Slice((*uint64)(m.Slot(s)), 8)
		clear(w)
		w[0], w[1] = 1, listEnd
		w[2], w[3] = listEnd, 0
	}
	sum := func(word int) (n uint64) {
		for s := range nslots {
			n += *(*uint64)(unsafe.Add(m.Slot(s), 8*word))
		}
		return n
	}
	vals := [2]uint64{0x1111, 0x2222}
	var got uint64
	l := PerCPULayout{Base: m.Base(), Stride: m.Stride(), LinksA: 16, LinksB: 32, Values: unsafe.Pointer(&vals), Size: 8, Copy: 8}
	// One slot then has list A 0 -> end and list B 1 -> end.
	if st := rseqPerCPUPop(&l, unsafe.Pointer(&got)); Status(st) != OK || got != 0x2222 || sum(0) != uint64(nslots)-1 ||
		sum(1) != (uint64(nslots)-1)*listEnd+1 || sum(5) != listEnd {
		return fmt.Errorf("percpu pop: %v, value %#x, heads %#x %#x", Status(st), got, sum(0), sum(1))
	}
	// Claim on that slot, or fail on another.
	p, x, st := rseqPerCPUClaim(&l)
	switch {
	case Status(st) == OK && (x != 1 || p != unsafe.Pointer(&vals[1]) || sum(1) != uint64(nslots)*listEnd):
		return fmt.Errorf("percpu claim: node %d, value at %p (want %p), heads %#x", x, p, &vals[1], sum(1))
	case Status(st) == CmpFailed && (p != nil || sum(1) != (uint64(nslots)-1)*listEnd+1):
		return fmt.Errorf("percpu claim on an empty list: value at %p, heads %#x", p, sum(1))
	case Status(st) != OK && Status(st) != CmpFailed:
		return fmt.Errorf("percpu claim: %v", Status(st))
	}
	if Status(st) == OK {
		// Node 1 back on some slot's list A: its head sums change by 1
		// (from 0 on the slot of the pop) or by 0 (from 1 elsewhere).
		if st := rseqPerCPUPublish(&l, 1); Status(st) != OK {
			return fmt.Errorf("percpu publish: %v", Status(st))
		}
		if h := sum(0); h != uint64(nslots) && h != uint64(nslots)-1 {
			return fmt.Errorf("percpu publish: heads sum to %d", h)
		}
	}
	return nil
}
