//go:build linux && (amd64 || arm64) && gc && !purego

package cs

import "unsafe"

const RingAsm = true

func RawRingPush(p unsafe.Pointer, stride, ring uintptr, mask uint64, step uintptr, v uint64) (int, Status) {
	s, st := rseqRingPush(p, stride, ring, mask, step, v)
	return s, Status(st)
}

func RawRingPushCopy(p unsafe.Pointer, stride, ring uintptr, mask uint64, step uintptr, src unsafe.Pointer, n uintptr) (int, Status) {
	s, st := rseqRingPushCopy(p, stride, ring, mask, step, src, n)
	return s, Status(st)
}

func RawRecordsPush(p unsafe.Pointer, stride, ring uintptr, size uint64, src unsafe.Pointer, n uintptr, sz uint64) (int, Status) {
	s, st := rseqRecordsPush(p, stride, ring, size, src, n, sz)
	return s, Status(st)
}
