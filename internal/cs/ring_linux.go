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
	archSelfChecks = append(archSelfChecks, selfCheckRing)
	return 0
}()

// RingPush appends the word v to the ring of the calling thread's slot s
// and returns s and OK, or returns s and CmpFailed, writing nothing, when
// the ring looks full: tail - limit > mask, where tail is the uint64 at
// p + s*stride and limit (a lower bound of the consumers' head) the one 8
// bytes after it. Otherwise it stores v at entry tail&mask (entries step
// bytes apart from offset ring of the header) and commits tail+1, all in one
// critical section: atomic with respect to every primitive on slot s. The
// caller refreshes limit and retries after CmpFailed. See ring.go for the
// layout.
//
//go:noescape
func RingPush(p unsafe.Pointer, stride, ring uintptr, mask uint64, step uintptr, v uint64) (slot int, st Status)

// RingPushCopy is RingPush with n bytes copied from src (n at most
// MaxMemcpy; it panics otherwise) instead of one word. An aborted attempt
// may leave part of a copy in the entry, beyond the tail: only the commit
// publishes it.
//
//go:noescape
func RingPushCopy(p unsafe.Pointer, stride, ring uintptr, mask uint64, step uintptr, src unsafe.Pointer, n uintptr) (slot int, st Status)

// RecordsPush appends a record of n bytes from src, which takes sz bytes of
// ring (n <= sz; n at most MaxMemcpy, it panics otherwise), to the byte
// ring of the calling thread's slot s, in one critical section, and returns
// s and OK; or it returns s and CmpFailed, writing nothing, when the record
// would cross the ring's end (size bytes from offset ring of the header; the
// caller pads the rest with a wrap marker) or the ring looks full from
// limit (tail + sz - limit > size; the caller refreshes limit). size is a
// power of two; tail counts bytes. See ring.go for the layout.
//
//go:noescape
func RecordsPush(p unsafe.Pointer, stride, ring uintptr, size uint64, src unsafe.Pointer, n uintptr, sz uint64) (slot int, st Status)

//go:noescape
func rseqRecordsPush(p unsafe.Pointer, stride, ring uintptr, size uint64, src unsafe.Pointer, n uintptr, sz uint64) (slot int, st uint32)

//go:noescape
func rseqRingPush(p unsafe.Pointer, stride, ring uintptr, mask uint64, step uintptr, v uint64) (slot int, st uint32)

//go:noescape
func rseqRingPushCopy(p unsafe.Pointer, stride, ring uintptr, mask uint64, step uintptr, src unsafe.Pointer, n uintptr) (slot int, st uint32)

// selfCheckRing runs both ring sections once on m (256 bytes per slot,
// whose first 128 it clears): a ring header at 0 (tail, limit), 4 entries
// of 16 bytes at 64. Each push must land at the entry of its slot's tail
// and move that tail.
func selfCheckRing(m Mem) error {
	for s := range nslots {
		clear(unsafe.Slice((*byte)(m.Slot(s)), 128))
	}
	s, st := rseqRingPush(m.Base(), m.Stride(), 64, 3, 16, 0x5e9)
	if Status(st) != OK || s < 0 || s >= nslots {
		return fmt.Errorf("ringpush: slot %d, %v", s, Status(st))
	}
	if w := (*[10]uint64)(m.Slot(s)); w[0] != 1 || w[8] != 0x5e9 {
		return fmt.Errorf("ringpush: tail %d, entry %#x", w[0], w[8])
	}
	src := [2]uint64{7, 9}
	s2, st := rseqRingPushCopy(m.Base(), m.Stride(), 64, 3, 16, unsafe.Pointer(&src), 16)
	if Status(st) != OK || s2 < 0 || s2 >= nslots {
		return fmt.Errorf("ringpushcopy: slot %d, %v", s2, Status(st))
	}
	w := (*[12]uint64)(m.Slot(s2))
	at := 8 + 2*(w[0]-1)
	if w[0] < 1 || w[0] > 2 || w[at] != 7 || w[at+1] != 9 {
		return fmt.Errorf("ringpushcopy: tail %d, entry %d %d", w[0], w[at], w[at+1])
	}
	// Full: limit 0, tail 4 = mask+1.
	w[0], w[1] = 4, 0
	if s3, st := rseqRingPush(m.Base(), m.Stride(), 64, 3, 16, 1); s3 == s2 && Status(st) != CmpFailed {
		return fmt.Errorf("ringpush on a full ring: %v", Status(st))
	}
	// A record of 12 bytes taking 16 in a 64-byte ring at 64, then one that
	// would cross the ring's end.
	for s := range nslots {
		clear(unsafe.Slice((*byte)(m.Slot(s)), 128))
	}
	rec := [2]uint64{0x1122334455667788, 0x99aabbcc}
	s4, st := rseqRecordsPush(m.Base(), m.Stride(), 64, 64, unsafe.Pointer(&rec), 12, 16)
	if Status(st) != OK || s4 < 0 || s4 >= nslots {
		return fmt.Errorf("recordspush: slot %d, %v", s4, Status(st))
	}
	w = (*[12]uint64)(m.Slot(s4))
	if w[0] != 16 || w[8] != rec[0] || uint32(w[9]) != uint32(rec[1]) {
		return fmt.Errorf("recordspush: tail %d, record %#x %#x", w[0], w[8], w[9])
	}
	w[0], w[1] = 56, 56
	if s5, st := rseqRecordsPush(m.Base(), m.Stride(), 64, 64, unsafe.Pointer(&rec), 12, 16); s5 == s4 && Status(st) != CmpFailed {
		return fmt.Errorf("recordspush across the ring's end: %v", Status(st))
	}
	return nil
}
