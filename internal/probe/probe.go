// Package probe spreads goroutines over the slots of the Atomic backend's
// striped structures, as Java's LongAdder (Striped64) spreads threads over
// its cells: each goroutine has a probe, a 32-bit value that picks its
// slot; a caller that meets contention on its slot (a failed
// compare-and-swap) advances its probe to a pseudo-random other value, so
// that goroutines colliding on one slot move apart by themselves, while a
// goroutine that meets no contention keeps its slot and its cache lines.
//
// Go has no goroutine-local storage, so the probe lives in a small table
// indexed by a hash of the goroutine's stack address. Goroutine stacks are
// at least 2 KiB (the runtime's minimum) apart, so the hash takes the
// address from bit 11 up: goroutines running at the same time mostly have
// entries of their own, and a stack that moves (grows) only changes the
// entry. Two goroutines whose hashes meet on one entry would move
// together, and collide forever; a salt from the rest of the hash, mixed
// into the slot, sets them apart, as each advance then picks their slots
// independently. An entry is written only on contention, so the table
// stays shared in every core's cache; the fast path is a hash, one load
// and a multiply.
package probe

import (
	"sync/atomic"
	"unsafe"
)

// Len is the number of entries in the table.
const Len = 256

// stackShift is log2 of the runtime's minimum goroutine stack (2 KiB): two
// stacks in use at once never share an address from this bit up.
const stackShift = 11

var probes [Len]atomic.Uint32

func init() {
	for i := range probes {
		// Spread the starting slots; never 0, which xorshift keeps.
		probes[i].Store(uint32(i)*0x9e3779b9 | 1)
	}
}

// Probe is the calling goroutine's probe: its entry in the table and the
// salt that tells it from other goroutines sharing the entry.
type Probe struct {
	entry *atomic.Uint32
	salt  uint32
}

// For returns the calling goroutine's probe.
func For() Probe {
	// The address of a local of size zero is the stack pointer's, taken
	// with no store (a byte would be zeroed first).
	var x [0]byte
	h := uint64(uintptr(unsafe.Pointer(&x))>>stackShift) * 0x9e3779b97f4a7c15
	return Probe{entry: &probes[h>>(64-8)], salt: uint32(h >> 16)}
}

// Load returns the probe's value.
func (p Probe) Load() uint32 { return p.entry.Load() }

// Slot maps the probe's value v to one of n slots.
func (p Probe) Slot(v uint32, n int) int {
	x := (v ^ p.salt) * 0x9e3779b9 // odd: a bijection that mixes low bits up
	return int((uint64(x) * uint64(n)) >> 32)
}

// Advance moves the probe, whose value the caller read as v, to the next
// value of a xorshift32 sequence (Striped64's advanceProbe). A concurrent
// Advance of the same entry may win; either outcome moves the probe.
func (p Probe) Advance(v uint32) {
	v ^= v << 13
	v ^= v >> 17
	v ^= v << 5
	p.entry.Store(v)
}
