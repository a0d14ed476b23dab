//go:build gc && !purego

package cs

import (
	"sync"
	"unsafe"

	"golang.org/x/sys/unix"
)

// How threads find their area on linux/amd64, in both process modes.

// stopSpacingRSEQ is the distance between two stop words in the RSEQ
// backend (see stopWords): packed, so that a section's check is one
// compare with the slot index scaled into the address; the asm reads it as
// that scale (const_stopSpacingRSEQ).
const stopSpacingRSEQ = 4

// Constants the asm reads through go_asm.h (const_NAME).
const (
	areaTID  = 32 // ours, past the kernel's 32 bytes (pure-Go mode)
	areaSize = 64 // the room of one area in our pages (pure-Go mode)

	sysGettid    = unix.SYS_GETTID
	sysArchPrctl = unix.SYS_ARCH_PRCTL
	archGetFS    = 0x1003 // arch_prctl ARCH_GET_FS
)

// Implemented in thread_linux_amd64.s.

//go:noescape
func rseqRegister(area, dead unsafe.Pointer) (errno uintptr)

func tlsProbe() (fs0, fsbase uintptr, errno uintptr)

// initThreadMode finds which thread pointer convention the process uses:
// libc's (cgo, glibc registers every thread) or the Go runtime's (the
// package registers its own areas, found through FS:0).
func initThreadMode(auxv map[uint64]uint64) string {
	fs0, fsbase, e := tlsProbe()
	if e != 0 {
		return "arch_prctl(ARCH_GET_FS) failed: " + unix.Errno(e).Error()
	}
	if fs0 != 0 && fs0 == fsbase {
		if why, _ := useLibcArea(auxv); why != "" {
			return "cgo binary, but " + why
		}
	} else {
		if fs0 != 0 {
			// FS:0 already holds an area: only ours can be there.
			return "unexpected value at FS:0 in a pure-Go binary"
		}
		if err := initAreas(); err != nil {
			return "cannot map rseq areas: " + err.Error()
		}
		info.Registration = "go"
	}

	return ""
}

// checkThreadAnchor checks the thread convention on the self-check's thread:
// on amd64 the Go runtime gives every thread its own FS in both modes, so
// there is nothing more to check.
func checkThreadAnchor() error { return nil }

// Areas of the pure-Go mode: 64-byte records in off-heap pages, the kernel's
// 32 bytes followed by the owning thread's id. Threads that exit leave their
// area behind; getArea recycles areas whose thread is gone.
var areas struct {
	sync.Mutex
	free []unsafe.Pointer
	used []unsafe.Pointer
}

var deadArea unsafe.Pointer // never registered: sections on it report stNoRSEQ

func initAreas() error {
	p, err := sysAlloc(pageSize)
	if err != nil {
		return err
	}
	deadArea = p
	resetArea(deadArea)
	return nil
}

func resetArea(a unsafe.Pointer) {
	clear(unsafe.Slice((*byte)(a), areaSize))
	*(*uint32)(unsafe.Add(a, areaCPUID)) = ^uint32(0) // RSEQ_CPU_ID_UNINITIALIZED
}

func getArea() unsafe.Pointer {
	areas.Lock()
	defer areas.Unlock()
	if len(areas.free) == 0 {
		reclaimAreas()
	}
	if len(areas.free) == 0 {
		p, err := sysAlloc(pageSize)
		if err != nil {
			panic("cs: cannot map rseq areas: " + err.Error())
		}
		for off := uintptr(0); off < pageSize; off += areaSize {
			a := unsafe.Add(p, off)
			resetArea(a)
			areas.free = append(areas.free, a)
		}
		areasAllocated.Add(uint64(pageSize / areaSize))
	}
	a := areas.free[len(areas.free)-1]
	areas.free = areas.free[:len(areas.free)-1]
	areas.used = append(areas.used, a)
	return a
}

func putArea(a unsafe.Pointer) {
	areas.Lock()
	defer areas.Unlock()
	for i, u := range areas.used {
		if u == a {
			areas.used[i] = areas.used[len(areas.used)-1]
			areas.used = areas.used[:len(areas.used)-1]
			break
		}
	}
	resetArea(a)
	areas.free = append(areas.free, a)
}

// reclaimAreas moves the areas of exited threads to the free list. A thread
// id of 0 means a registration in progress. A reused thread id only keeps an
// area from being recycled: never unsafe.
func reclaimAreas() {
	pid := unix.Getpid()
	kept := areas.used[:0]
	for _, a := range areas.used {
		tid := int(*(*uint32)(unsafe.Add(a, areaTID)))
		if tid != 0 && unix.Tgkill(pid, tid, 0) == unix.ESRCH {
			resetArea(a)
			areas.free = append(areas.free, a)
			continue
		}
		kept = append(kept, a)
	}
	clear(areas.used[len(kept):])
	areas.used = kept
}

// registerThread registers the calling thread's area (pure-Go mode). Threads
// whose registration fails are marked, once, with the dead area.
func registerThread() {
	if info.Registration != "go" {
		return
	}
	a := getArea()
	switch e := rseqRegister(a, deadArea); e {
	case 0:
		registered.Add(1)
	case ^uintptr(0):
		putArea(a) // the goroutine moved to a thread that already has one
	default:
		putArea(a)
		noRSEQThreads.Add(1)
	}
}
