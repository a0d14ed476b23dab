//go:build gc && !purego && (amd64 || arm64)

package cs

import (
	"fmt"
	"unsafe"
)

// The ring sections, as indices of ringDescs and ringText; the asm reads
// them (const_rsecRseqRingPush, ...).
const (
	rsecRseqRingPush = iota
	rsecRingPush
	rsecRseqRingPushCopy
	rsecRingPushCopy
	rsecRseqRecordsPush
	rsecRecordsPush
	nRingSections
)

// ringText (asm DATA in ring_amd64.h and ring_arm64.h) holds the entries of the functions
// with a ring section, ringDescs their descriptors.
var ringDescs, ringText [nRingSections]uintptr

var _ = func() int {
	archSections = append(archSections, sectionTable{ringText[:], ringDescs[:]})
	archSelfChecks = append(archSelfChecks, selfCheckRing, selfCheckRecords)
	return 0
}()

// RingPush appends the word v to the ring of the calling thread's slot s
// and returns s and OK, or returns s and CmpFailed, writing nothing, when
// the ring looks full: tail - limit > l.Mask, where tail is the uint64 at
// l.Base + s*l.Stride and limit (a lower bound of the consumers' head) the
// one 8 bytes after it. Otherwise it stores v at entry tail&l.Mask (entries
// 8 bytes apart from offset RingHeader of the header) and commits tail+1, all in
// one critical section: atomic with respect to every primitive on slot s.
// The caller refreshes limit and retries after CmpFailed. See RingLayout
// for the layout.
//
//go:noescape
func RingPush(l *RingLayout, v uint64) (slot int, st Status)

// RingPushCopy is RingPush with n bytes copied from src (n at most
// MaxMemcpy; it panics otherwise) into entry tail&l.Mask, l.Step bytes
// apart, instead of one word. An aborted attempt may leave part of a copy
// in the entry, beyond the tail: only the commit publishes it.
//
//go:noescape
func RingPushCopy(l *RingLayout, src unsafe.Pointer, n uintptr) (slot int, st Status)

//go:noescape
func rseqRingPush(l *RingLayout, v uint64) (slot int, st uint32)

//go:noescape
func rseqRingPushCopy(l *RingLayout, src unsafe.Pointer, n uintptr) (slot int, st uint32)

// selfCheckRing runs both ring sections once on m (256 bytes per slot,
// whose first 192 it clears): a ring header at 0 (tail, limit), 4 entries
// of 16 bytes at RingHeader. Each push must land at the entry of its
// slot's tail and move that tail.
func selfCheckRing(m Mem) error {
	for s := range nslots {
		clear(unsafe.Slice((*byte)(m.Slot(s)), RingHeader+64))
	}
	const e0 = RingHeader / 8 // the first entry's word
	l := RingLayout{Base: m.Base(), Stride: m.Stride(), Mask: 3, Step: 16}
	s, st := rseqRingPush(&l, 0x5e9)
	if Status(st) != OK || s < 0 || s >= nslots {
		return fmt.Errorf("ringpush: slot %d, %v", s, Status(st))
	}
	if w := (*[e0 + 2]uint64)(m.Slot(s)); w[0] != 1 || w[e0] != 0x5e9 {
		return fmt.Errorf("ringpush: tail %d, entry %#x", w[0], w[e0])
	}
	src := [2]uint64{7, 9}
	s2, st := rseqRingPushCopy(&l, unsafe.Pointer(&src), 16)
	if Status(st) != OK || s2 < 0 || s2 >= nslots {
		return fmt.Errorf("ringpushcopy: slot %d, %v", s2, Status(st))
	}
	w := (*[e0 + 8]uint64)(m.Slot(s2))
	at := e0 + 2*(w[0]-1)
	if w[0] < 1 || w[0] > 2 || w[at] != 7 || w[at+1] != 9 {
		return fmt.Errorf("ringpushcopy: tail %d, entry %d %d", w[0], w[at], w[at+1])
	}
	// Full: limit 0, tail 4 = mask+1.
	w[0], w[1] = 4, 0
	if s3, st := rseqRingPush(&l, 1); s3 == s2 && Status(st) != CmpFailed {
		return fmt.Errorf("ringpush on a full ring: %v", Status(st))
	}
	return nil
}

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
