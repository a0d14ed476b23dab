//go:build !linux || !(amd64 || arm64) || !gc || purego

package cs

import "unsafe"

// RingPush appends the word v to the ring of the calling thread's slot; on
// this platform it is CurrentSlot and CmpStoreStore. See ring_linux.go
// for the contract and ring.go for the layout.
func RingPush(p unsafe.Pointer, stride, ring uintptr, mask uint64, step uintptr, v uint64) (slot int, st Status) {
	return ringPushSlow(p, stride, ring, mask, step, v)
}

// RingPushCopy is RingPush with n bytes copied from src; on this platform
// CurrentSlot and CmpMemcpyStore.
func RingPushCopy(p unsafe.Pointer, stride, ring uintptr, mask uint64, step uintptr, src unsafe.Pointer, n uintptr) (slot int, st Status) {
	return ringPushCopySlow(p, stride, ring, mask, step, src, n)
}

// RecordsPush appends a record to the byte ring of the calling thread's
// slot; on this platform CurrentSlot and CmpMemcpyStore.
func RecordsPush(p unsafe.Pointer, stride, ring uintptr, size uint64, src unsafe.Pointer, n uintptr, sz uint64) (slot int, st Status) {
	return recordsPushSlow(p, stride, ring, size, src, n, sz)
}
