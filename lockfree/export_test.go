package lockfree

import (
	"unsafe"

	"github.com/gorseq/rseq/internal/torture"
)

// Export guts for testing.

const CacheLine = cacheLine

// The Layout functions are alike on purpose: unsafe.Offsetof needs each
// field written out, so they cannot share code.

func QueueLayout() torture.Layout {
	var q Queue[int]
	return torture.Layout{Size: unsafe.Sizeof(q), Offsets: map[string]uintptr{
		"tail":  unsafe.Offsetof(q.tail),
		"head":  unsafe.Offsetof(q.head),
		"slots": unsafe.Offsetof(q.slots),
		"mask":  unsafe.Offsetof(q.mask),
	}}
}

func IndexStackLayout() torture.Layout {
	var s IndexStack
	return torture.Layout{Size: unsafe.Sizeof(s), Offsets: map[string]uintptr{
		"head": unsafe.Offsetof(s.head),
		"size": unsafe.Offsetof(s.size),
		"next": unsafe.Offsetof(s.next),
	}}
}

// HeadWord returns the tagged head word of s: tag<<32 | top index.
func (s *IndexStack) HeadWord() uint64 { return s.head.Load() }
