package lockfree

import "unsafe"

// Export guts for testing.

const CacheLine = cacheLine

// Layout holds the size of a padded type and the offsets of its fields.
type Layout struct {
	Size    uintptr
	Offsets map[string]uintptr
}

func QueueLayout() Layout {
	var q Queue[int]
	return Layout{unsafe.Sizeof(q), map[string]uintptr{
		"tail":  unsafe.Offsetof(q.tail),
		"head":  unsafe.Offsetof(q.head),
		"slots": unsafe.Offsetof(q.slots),
		"mask":  unsafe.Offsetof(q.mask),
	}}
}

func IndexStackLayout() Layout {
	var s IndexStack
	return Layout{unsafe.Sizeof(s), map[string]uintptr{
		"head": unsafe.Offsetof(s.head),
		"size": unsafe.Offsetof(s.size),
		"next": unsafe.Offsetof(s.next),
	}}
}

// HeadWord returns the tagged head word of s: tag<<32 | top index.
func (s *IndexStack) HeadWord() uint64 { return s.head.Load() }
