package benchmarks

import (
	"runtime"
	"sync/atomic"
	"unsafe"
)

// The procPin peer: the runtime's procPin disables preemption and returns
// the index of the P the goroutine runs on, which then belongs to it until
// procUnpin. sync.Pool and sync/atomic's Value use it through linknames of
// their own; third-party code reaches it with a pull linkname, which the
// Go 1.23+ linker still accepts for these two symbols (they are on its list
// of widely linknamed internals). The library never does this; it is a peer
// here because it is the fastest per-P counter pure Go can build.

//go:linkname procPin runtime.procPin
func procPin() int

//go:linkname procUnpin runtime.procUnpin
func procUnpin()

// cacheLine is the padding unit of the peers built here (the library's
// cs.CacheLine is in an internal package of the other module).
const cacheLine = 128

// pinCell is one P's count, alone on its cache lines.
type pinCell struct {
	v atomic.Int64
	_ [(cacheLine - unsafe.Sizeof(atomic.Int64{})%cacheLine) % cacheLine]byte
}

// pinCounter is a per-P counter: one cell per P, written only by the
// goroutine that holds that P pinned, so that an add is a plain load and
// store with no atomic read-modify-write. Readers load every cell
// atomically. A P index beyond the cells (GOMAXPROCS raised after the
// counter was made) adds atomically to a shared overflow cell.
type pinCounter struct {
	cells    []pinCell
	overflow pinCell
}

func newPinCounter() *pinCounter {
	return &pinCounter{cells: make([]pinCell, max(runtime.GOMAXPROCS(0), runtime.NumCPU()))}
}

func (c *pinCounter) Add(delta int64) {
	p := procPin()
	if p < len(c.cells) {
		v := &c.cells[p].v
		v.Store(v.Load() + delta) // the P is ours: no other writer
	} else {
		c.overflow.v.Add(delta)
	}
	procUnpin()
}

func (c *pinCounter) Load() int64 {
	sum := c.overflow.v.Load()
	for i := range c.cells {
		sum += c.cells[i].v.Load()
	}
	return sum
}
