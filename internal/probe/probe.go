// Package probe spreads goroutines over the slots of the Atomic backend's
// striped structures, as Java's LongAdder (Striped64) spreads threads over
// its cells: each goroutine has a probe, a 32-bit value that picks its
// slot; a caller that meets contention on its slot (a failed
// compare-and-swap) advances its probe to a pseudo-random other value, so
// that goroutines colliding on one slot move apart by themselves, while a
// goroutine that meets no contention keeps its slot and its cache lines.
//
// Go has no goroutine-local storage, so the probe lives in a small table
// indexed by a hash of the goroutine's stack address: goroutine stacks are
// at least 8 KiB apart, so goroutines running at the same time mostly have
// entries of their own, and a stack that moves (grows) only changes the
// entry. An entry is written only on contention, so the table stays
// shared in every core's cache; the fast path is a hash and one load.
package probe

import (
	"sync/atomic"
	"unsafe"
)

// Len is the number of probes in the table.
const Len = 256

var probes [Len]atomic.Uint32

func init() {
	for i := range probes {
		// Spread the starting slots; never 0, which xorshift keeps.
		probes[i].Store(uint32(i)*0x9e3779b9 | 1)
	}
}

// For returns the calling goroutine's probe.
func For() *atomic.Uint32 {
	var x byte
	h := uint64(uintptr(unsafe.Pointer(&x))>>13) * 0x9e3779b97f4a7c15
	return &probes[h>>(64-8)]
}

// Slot maps a probe's value v to one of n slots.
func Slot(v uint32, n int) int { return int((uint64(v) * uint64(n)) >> 32) }

// Advance moves probe p, whose value the caller read as v, to the next
// value of a xorshift32 sequence (Striped64's advanceProbe). A concurrent
// Advance of the same probe may win; either outcome moves the probe.
func Advance(p *atomic.Uint32, v uint32) {
	v ^= v << 13
	v ^= v >> 17
	v ^= v << 5
	p.Store(v)
}
