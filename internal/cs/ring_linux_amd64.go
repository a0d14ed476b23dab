//go:build gc && !purego

package cs

import (
	"fmt"
	"unsafe"
)

// The records section exists on amd64 only for now, in a table of its own
// (recText, recDescs: indices rrsec...), read through RECPROLOGUE in
// ring_amd64.h; on arm64 RecordsPush is its Go version (ring_linux_arm64.go).
const (
	rrsecRseqRecordsPush = iota
	rrsecRecordsPush
	nRecSections
)

var recDescs, recText [nRecSections]uintptr

var _ = func() int {
	archSections = append(archSections, sectionTable{recText[:], recDescs[:]})
	archSelfChecks = append(archSelfChecks, selfCheckRecords)
	return 0
}()

// RecordsPush appends a record of n bytes from src, which takes sz bytes of
// ring (n <= sz; n at most MaxMemcpy, it panics otherwise), to the byte
// ring of the calling thread's slot s, in one critical section, and returns
// s and OK; or it returns s and CmpFailed, writing nothing, when the record
// would cross the ring's end (l.Mask+1 bytes from offset RingHeader of the
// header; the caller pads the rest with a wrap marker) or the ring looks
// full from limit (tail + sz - limit > l.Mask+1; the caller refreshes
// limit). tail counts bytes. See RingLayout for the layout.
//
//go:noescape
func RecordsPush(l *RingLayout, src unsafe.Pointer, n uintptr, sz uint64) (slot int, st Status)

//go:noescape
func rseqRecordsPush(l *RingLayout, src unsafe.Pointer, n uintptr, sz uint64) (slot int, st uint32)

// selfCheckRecords runs the records section on m (256 bytes per slot, whose
// first 192 it clears).
func selfCheckRecords(m Mem) error {
	for s := range nslots {
		clear(unsafe.Slice((*byte)(m.Slot(s)), RingHeader+64))
	}
	// A record of 12 bytes taking 16 in a 64-byte ring, then one that
	// would cross the ring's end.
	const r0 = RingHeader / 8 // the ring's first word
	rec := [2]uint64{0x1122334455667788, 0x99aabbcc}
	l := RingLayout{Base: m.Base(), Stride: m.Stride(), Mask: 63}
	s4, st := rseqRecordsPush(&l, unsafe.Pointer(&rec), 12, 16)
	if Status(st) != OK || s4 < 0 || s4 >= nslots {
		return fmt.Errorf("recordspush: slot %d, %v", s4, Status(st))
	}
	w := (*[r0 + 2]uint64)(m.Slot(s4))
	if w[0] != 16 || w[r0] != rec[0] || uint32(w[r0+1]) != uint32(rec[1]) {
		return fmt.Errorf("recordspush: tail %d, record %#x %#x", w[0], w[r0], w[r0+1])
	}
	w[0], w[1] = 56, 56
	if s5, st := rseqRecordsPush(&l, unsafe.Pointer(&rec), 12, 16); s5 == s4 && Status(st) != CmpFailed {
		return fmt.Errorf("recordspush across the ring's end: %v", Status(st))
	}
	return nil
}
