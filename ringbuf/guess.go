package ringbuf

import (
	"sync/atomic"
	"unsafe"

	"github.com/gorseq/rseq/internal/cs"
)

// Push needs the slot of the calling thread before its critical section,
// to address the slot's tail and entry; cs.CurrentSlot costs an asm call.
// Instead, Push guesses: the slot the calling goroutine's last Push found,
// kept in a small table indexed by a hash of the goroutine's stack address.
// The critical section checks the slot anyway (cs.Moved when the thread is
// not on it), so a wrong guess costs a retry, never correctness; the table
// is written only when a guess was wrong, so it stays shared in every
// core's cache.
var guesses [guessLen]atomic.Uint32

const guessLen = 256

// guessFor returns the calling goroutine's entry in guesses. Goroutine
// stacks are at least 8 KiB apart, so the address of a local variable
// shifted by 13 tells goroutines apart (until a stack grows and moves,
// which only costs a wrong guess).
func guessFor() *atomic.Uint32 {
	return &guesses[stackHash()>>(64-8)]
}

// stackHash mixes the address of a local variable (on the calling
// goroutine's stack once inlined) into 64 well-spread bits.
func stackHash() uint64 {
	var x byte
	return uint64(uintptr(unsafe.Pointer(&x))>>13) * 0x9e3779b97f4a7c15
}

// learn returns the current slot and records it as the guess in g.
func learn(g *atomic.Uint32) int {
	s := cs.CurrentSlot()
	if g.Load() != uint32(s) {
		g.Store(uint32(s))
	}
	return s
}
