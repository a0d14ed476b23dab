//go:build linux && (amd64 || arm64) && gc && !purego

package cs

import "unsafe"

const RingAsm = true

func RawRingPush(l *RingLayout, v uint64) (int, Status) {
	s, st := rseqRingPush(l, v)
	return s, Status(st)
}

func RawRingPushCopy(l *RingLayout, src unsafe.Pointer, n uintptr) (int, Status) {
	s, st := rseqRingPushCopy(l, src, n)
	return s, Status(st)
}

func RawRecordsPush(l *RingLayout, src unsafe.Pointer, n uintptr, sz uint64) (int, Status) {
	s, st := rseqRecordsPush(l, src, n, sz)
	return s, Status(st)
}
