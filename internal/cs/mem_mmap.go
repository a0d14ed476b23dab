//go:build unix

package cs

import (
	"unsafe"

	"golang.org/x/sys/unix"
)

var pageSize = uintptr(unix.Getpagesize())

// sysAlloc maps n bytes of zeroed, private, off-heap memory. Pages are
// backed only once touched.
func sysAlloc(n uintptr) (unsafe.Pointer, error) {
	b, err := unix.Mmap(-1, 0, int(n), unix.PROT_READ|unix.PROT_WRITE, unix.MAP_PRIVATE|unix.MAP_ANON)
	if err != nil {
		return nil, err
	}
	return unsafe.Pointer(unsafe.SliceData(b)), nil
}

func sysFree(p unsafe.Pointer, n uintptr) {
	if err := unix.Munmap(unsafe.Slice((*byte)(p), n)); err != nil {
		panic("cs: munmap: " + err.Error())
	}
}
