//go:build !linux || !(amd64 || arm64) || !gc || purego

package cs

import "unsafe"

// RingPush appends the word v to the ring of the calling thread's slot; on
// this platform it is CurrentSlot and CmpStoreStore. See ring_linux.go
// for the contract and RingLayout for the layout.
func RingPush(l *RingLayout, v uint64) (slot int, st Status) {
	return ringPushSlow(l, v)
}

// RingPushCopy is RingPush with n bytes copied from src; on this platform
// CurrentSlot and CmpMemcpyStore.
func RingPushCopy(l *RingLayout, src unsafe.Pointer, n uintptr) (slot int, st Status) {
	return ringPushCopySlow(l, src, n)
}

// RecordsPush appends a record to the byte ring of the calling thread's
// slot; on this platform CurrentSlot and CmpMemcpyStore.
func RecordsPush(l *RingLayout, src unsafe.Pointer, n uintptr, sz uint64) (slot int, st Status) {
	return recordsPushSlow(l, src, n, sz)
}
