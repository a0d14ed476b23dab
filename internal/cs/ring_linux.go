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
	return nil
}
