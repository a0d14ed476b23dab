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
