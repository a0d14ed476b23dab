//go:build !linux || !(amd64 || arm64) || !gc || purego

package cs

import "unsafe"

const RingAsm = false

func RawRingPush(p unsafe.Pointer, stride, ring uintptr, mask uint64, step uintptr, v uint64) (int, Status) {
	return ringPushSlow(p, stride, ring, mask, step, v)
}

func RawRingPushCopy(p unsafe.Pointer, stride, ring uintptr, mask uint64, step uintptr, src unsafe.Pointer, n uintptr) (int, Status) {
	return ringPushCopySlow(p, stride, ring, mask, step, src, n)
}

func RawRecordsPush(p unsafe.Pointer, stride, ring uintptr, size uint64, src unsafe.Pointer, n uintptr, sz uint64) (int, Status) {
	return recordsPushSlow(p, stride, ring, size, src, n, sz)
}
