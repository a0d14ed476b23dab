// Package counter provides per-CPU int64 counters for hot paths (requests,
// bytes, errors): Counter, a single counter, and Array, n counters
// allocated together (a metric with labels, a histogram's buckets).
//
// Each counter keeps one int64 word per CPU slot (see the module's core,
// internal/cs) in off-heap per-CPU memory. Add touches only the word of the
// slot the calling thread runs on; Load sums the words; Reset swaps them to
// zero.
//
// # Guarantees
//
//   - Add is exact: every Add is counted exactly once, under any
//     interleaving with other Adds, Loads and Resets, on every thread,
//     including threads that cannot use rseq.
//   - Load is not a linearizable snapshot: it reads the slots one after
//     another, so Adds concurrent with it may be counted or not, slot by
//     slot. With no concurrent Add it returns the exact sum.
//   - Reset is exact: the value it returns plus what later Resets and Loads
//     see accounts for every Add exactly once.
//
// # Backends
//
// In the RSEQ backend (Linux on amd64 with rseq and the membarrier RSEQ
// fence), Add is one restartable sequence that ends in a plain add to the
// slot's word: no atomic instruction, no lock, no contention between CPUs.
// Reset stops every slot (one membarrier fence), swaps the words, and
// releases them: concurrent Adds on every counter stall for those few
// microseconds, so Reset belongs on a metrics scrape, not on a hot path.
//
// In the Atomic backend (other platforms, the purego build tag,
// GORSEQ=atomic in the environment, or a kernel without rseq), Add is one
// atomic add to a slot picked from the goroutine's stack address, which
// spreads contention but lets goroutines share a slot; Reset swaps each
// word atomically and blocks nobody. The root package's Detect reports
// which backend runs and why.
//
// # Memory
//
// A counter costs 8 bytes per slot of per-CPU memory plus an 8-byte header
// on the Go heap, with no padding: counters share cache lines, but only
// with counters of the same slot, which other CPUs do not write. New
// allocates counters in blocks of 64 that share one item of per-CPU memory
// and one cleanup; a block's per-CPU memory returns to the pool once all 64
// of its counters are unreachable, so one live counter keeps its block's
// memory (64 x 8 bytes per slot) alive. With 2 slots, a million counters
// measured about 25 bytes each (Go heap plus per-CPU memory), against about
// 162 for a striped counter with one padded int64 per CPU.
//
// # Zero values
//
// The zero Counter is not usable (its methods panic): create counters with
// New. A usable zero value would need a check on every Add whose
// out-of-line initialisation keeps Add from being inlined into its callers,
// which measured about 1 ns more per Add. Counters and Arrays must not be
// copied; go vet reports copies.
package counter
