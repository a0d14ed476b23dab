package counter

import (
	"unsafe"

	"github.com/gorseq/rseq/internal/torture"
)

// Export guts for testing.

const BlockLen = blockLen

func CounterLayout() torture.Layout {
	var c Counter
	return torture.Layout{Size: unsafe.Sizeof(c), Offsets: map[string]uintptr{"p": unsafe.Offsetof(c.p)}}
}

func BlockSize() uintptr { return unsafe.Sizeof(block{}) }
