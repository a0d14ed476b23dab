//go:build !unix

package cs

import (
	"sync"
	"unsafe"
)

var pageSize uintptr = 4096

// Without mmap, per-CPU memory comes from the Go heap, kept reachable here
// until freed. It holds no pointers ([]uint64), so the collector never scans
// it, and heap objects do not move.
var heapMem struct {
	sync.Mutex
	live map[unsafe.Pointer][]uint64
}

func sysAlloc(n uintptr) (unsafe.Pointer, error) {
	b := make([]uint64, (n+7)/8)
	p := unsafe.Pointer(unsafe.SliceData(b))
	heapMem.Lock()
	defer heapMem.Unlock()
	if heapMem.live == nil {
		heapMem.live = make(map[unsafe.Pointer][]uint64)
	}
	heapMem.live[p] = b
	return p, nil
}

func sysFree(p unsafe.Pointer, n uintptr) {
	heapMem.Lock()
	defer heapMem.Unlock()
	delete(heapMem.live, p)
}
