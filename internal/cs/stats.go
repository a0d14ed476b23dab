package cs

import "sync/atomic"

// Statistics, for tests and the torture harness.
var (
	abortCount     uint64 // incremented by the asm abort handlers (LOCK INCQ)
	fences         atomic.Uint64
	registered     atomic.Uint64
	noRSEQThreads  atomic.Uint64
	areasAllocated atomic.Uint64
)

// Stats counts slow-path events since the process started.
type Stats struct {
	Aborts     uint64 // critical sections restarted by the kernel
	Fences     uint64 // membarrier fences issued
	Registered uint64 // threads registered by this package (pure-Go mode)
	NoRSEQ     uint64 // threads that could not register and use the slow path
	Areas      uint64 // rseq areas allocated (pure-Go mode); recycled ones are not counted again
}

// ReadStats returns the current statistics.
func ReadStats() Stats {
	return Stats{
		Aborts:     atomic.LoadUint64(&abortCount),
		Fences:     fences.Load(),
		Registered: registered.Load(),
		NoRSEQ:     noRSEQThreads.Load(),
		Areas:      areasAllocated.Load(),
	}
}
