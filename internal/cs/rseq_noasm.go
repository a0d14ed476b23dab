//go:build !linux || !(amd64 || arm64) || !gc || purego

package cs

import (
	"runtime"
	"unsafe"
)

// Without the asm every rseq entry point below is unreachable: rseqOn stays
// false.

// AddInt64 adds delta to the int64 at p + s*stride, where s is the current
// slot: atomic (addInt64Probed), on this platform. It always succeeds.
func AddInt64(p unsafe.Pointer, stride uintptr, delta int64) { addInt64Slow(p, stride, delta) }

// CurrentSlot returns the slot the calling goroutine should use now; see
// rseq_linux.go for the primitives' full contracts.
func CurrentSlot() int { return currentSlotSlow() }

// CmpStore: if *v == expect { *v = newv }, atomically on slot.
func CmpStore(slot int, v *uint64, expect, newv uint64) Status {
	return cmpStoreSlow(slot, v, expect, newv)
}

// CmpStoreStore: if *v == expect { *v2 = new2; *v = newv }, atomically on slot.
func CmpStoreStore(slot int, v *uint64, expect uint64, v2 *uint64, new2, newv uint64) Status {
	return cmpStoreStoreSlow(slot, v, expect, v2, new2, newv)
}

// CmpMemcpyStore: if *v == expect { copy n bytes from src to dst; *v = newv },
// atomically on slot.
func CmpMemcpyStore(slot int, v *uint64, expect uint64, dst, src unsafe.Pointer, n uintptr, newv uint64) Status {
	return cmpMemcpyStoreSlow(slot, v, expect, dst, src, n, newv)
}

// ListPop: node := *head; if node != sentinel { *head = next[node] },
// atomically on slot.
func ListPop(slot int, head *uint64, next unsafe.Pointer, sentinel uint64) (uint64, Status) {
	return listPopSlow(slot, head, next, sentinel)
}

func rseqAdd(p unsafe.Pointer, stride uintptr, delta int64) uint32 { return uint32(stNoRSEQ) }

func rseqCmpStore(slot uint32, v *uint64, expect, newv uint64) uint32 { return uint32(stNoRSEQ) }

func rseqCmpStoreStore(slot uint32, v *uint64, expect uint64, v2 *uint64, new2, newv uint64) uint32 {
	return uint32(stNoRSEQ)
}

func rseqCmpMemcpyStore(slot uint32, v *uint64, expect uint64, dst, src unsafe.Pointer, n uintptr, newv uint64) uint32 {
	return uint32(stNoRSEQ)
}

func rseqListPop(slot uint32, head *uint64, next unsafe.Pointer, sentinel uint64) (uint64, uint32) {
	return 0, uint32(stNoRSEQ)
}

func rseqCurrent() (uint32, uint32) { return 0, uint32(stNoRSEQ) }

func registerThread() {}

func membarrierFence(s int) error { return nil }

func membarrierBarrier() error { return nil }

func emptyAsm() {}

func plainAddAsm(p *int64, delta int64) { plainAddGeneric(p, delta) }

func platformInit(forceCPU bool) string {
	if purego {
		return "purego build (no assembly)"
	}
	if runtime.Compiler != "gc" {
		return "compiler " + runtime.Compiler + " (the rseq sections are Go assembly)"
	}
	return "unsupported platform " + runtime.GOOS + "/" + runtime.GOARCH + " (rseq sections exist for linux/amd64 and linux/arm64)"
}
