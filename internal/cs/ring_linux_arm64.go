//go:build gc && !purego

package cs

import "unsafe"

// RecordsPush appends a record to the byte ring of the calling thread's
// slot; on arm64 (no records section yet) CurrentSlot and CmpMemcpyStore.
// See ring_linux_amd64.go for the contract.
func RecordsPush(l *RingLayout, src unsafe.Pointer, n uintptr, sz uint64) (slot int, st Status) {
	return recordsPushSlow(l, src, n, sz)
}

// rseqRecordsPush is the same here, for the tests.
func rseqRecordsPush(l *RingLayout, src unsafe.Pointer, n uintptr, sz uint64) (slot int, st uint32) {
	s, t := recordsPushSlow(l, src, n, sz)
	return s, uint32(t)
}
