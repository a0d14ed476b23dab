package counter

import "unsafe"

// Export guts for testing.

const BlockLen = blockLen

// Layout holds the size of a type and the offsets of its fields.
type Layout struct {
	Size    uintptr
	Offsets map[string]uintptr
}

func CounterLayout() Layout {
	var c Counter
	return Layout{unsafe.Sizeof(c), map[string]uintptr{"p": unsafe.Offsetof(c.p)}}
}

func BlockSize() uintptr { return unsafe.Sizeof(block{}) }
