//go:build !linux || !amd64 || !gc || purego

package cs

import "unsafe"

// Without the PerCPU sections (arm64, whose move-copy would commit with a
// store pair, and every platform without rseq), the three entry points are
// composed of the sections on the current slot: see percpu_linux_amd64.go
// for the contracts.

// perCPUSections reports whether the PerCPU entry points are sections of
// their own (the raw functions exist), for the tests.
const perCPUSections = false

// PerCPUPop moves the first node of the current slot's list A to its list
// B, copying its value to dst, or returns l.PopSlow(l, dst). Here it is two
// sections: list A's pop, the copy, list B's push on the slot the thread
// is on then; in between the node is the caller's alone.
func PerCPUPop(l *PerCPULayout, dst unsafe.Pointer) bool {
	if rseqOn && l.Copy <= MaxMemcpy {
		if x, st := ListPopHere(l.Base, l.Stride, l.LinksA, listEnd); st == OK {
			copy(unsafe.Slice((*byte)(dst), l.Copy), unsafe.Slice((*byte)(unsafe.Add(l.Values, uintptr(x)*l.Size)), l.Copy))
			ListPushHere(unsafe.Add(l.Base, 8), l.Stride, l.LinksB-8, x)
			return true
		}
	}
	return l.PopSlow(l, hide(dst))
}

// hide returns p out of the escape analysis' sight. A call of the func
// value l.PopSlow would otherwise make dst escape, and Pop's v with it,
// to the heap: an allocation per Pop, and a value with pointers copied
// above without write barriers into the heap. The hooks must not keep
// dst (PerCPULayout), which the asm version's noescape declaration says
// on amd64; so dst stays on its caller's stack.
func hide(p unsafe.Pointer) unsafe.Pointer {
	x := uintptr(p)
	return *(*unsafe.Pointer)(unsafe.Pointer(&x))
}

// PerCPUClaim pops a node from the current slot's list B and returns its
// value's address and its index, or nil.
func PerCPUClaim(l *PerCPULayout) (p unsafe.Pointer, x uint64) {
	if !rseqOn {
		return nil, 0
	}
	x, st := ListPopHere(unsafe.Add(l.Base, 8), l.Stride, l.LinksB-8, listEnd)
	if st != OK {
		return nil, 0
	}
	return unsafe.Add(l.Values, uintptr(x)*l.Size), x
}

// PerCPUPublish pushes node x on the current slot's list A.
func PerCPUPublish(l *PerCPULayout, x uint64) { ListPushHere(l.Base, l.Stride, l.LinksA, x) }

func rseqPerCPUPop(l *PerCPULayout, dst unsafe.Pointer) uint32 { return uint32(stNoRSEQ) }

func rseqPerCPUClaim(l *PerCPULayout) (unsafe.Pointer, uint64, uint32) {
	return nil, 0, uint32(stNoRSEQ)
}

func rseqPerCPUPublish(l *PerCPULayout, x uint64) uint32 { return uint32(stNoRSEQ) }
