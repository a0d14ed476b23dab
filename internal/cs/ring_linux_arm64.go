//go:build gc && !purego

package cs

import "unsafe"

// RecordsPush appends a record to the byte ring of the calling thread's
// slot; on arm64 (no records section yet) CurrentSlot and CmpMemcpyStore.
// See ring_linux_amd64.go for the contract.
func RecordsPush(p unsafe.Pointer, stride, ring uintptr, size uint64, src unsafe.Pointer, n uintptr, sz uint64) (slot int, st Status) {
	return recordsPushSlow(p, stride, ring, size, src, n, sz)
}

// rseqRecordsPush is the same here, for the tests.
func rseqRecordsPush(p unsafe.Pointer, stride, ring uintptr, size uint64, src unsafe.Pointer, n uintptr, sz uint64) (slot int, st uint32) {
	s, t := recordsPushSlow(p, stride, ring, size, src, n, sz)
	return s, uint32(t)
}
