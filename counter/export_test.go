package counter

import (
	"runtime"
	"unsafe"

	"github.com/gorseq/rseq/internal/cs"
)

// Export guts for testing.

const BlockLen = blockLen

// AddEager is Add without the zero-value check, for the benchmark that
// measures what the lazy initialisation costs.
func (c *Counter) AddEager(delta int64) {
	cs.AddInt64(c.p, stride, delta)
	runtime.KeepAlive(c)
}

// Layout holds the size of a type and the offsets of its fields.
type Layout struct {
	Size    uintptr
	Offsets map[string]uintptr
}

func CounterLayout() Layout {
	var c Counter
	return Layout{unsafe.Sizeof(c), map[string]uintptr{
		"p":   unsafe.Offsetof(c.p),
		"blk": unsafe.Offsetof(c.blk),
	}}
}

func BlockSize() uintptr { return unsafe.Sizeof(block{}) }
