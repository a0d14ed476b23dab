//go:build !linux || !(amd64 || arm64) || !gc || purego

package cs

import "unsafe"

const RingAsm = false

func RawRingPush(l *RingLayout, v uint64) (int, Status) {
	return ringPushSlow(l, v)
}

func RawRingPushCopy(l *RingLayout, src unsafe.Pointer, n uintptr) (int, Status) {
	return ringPushCopySlow(l, src, n)
}

func RawRecordsPush(l *RingLayout, src unsafe.Pointer, n uintptr, sz uint64) (int, Status) {
	return recordsPushSlow(l, src, n, sz)
}
