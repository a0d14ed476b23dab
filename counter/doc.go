// Package counter provides per-CPU int64 counters for hot paths (requests,
// bytes, errors): [Counter], a single counter, and [Array], n counters
// allocated together (a metric with labels, a histogram's buckets).
//
// Each counter keeps one int64 word per CPU slot in off-heap per-CPU
// memory. Add touches only the word of the slot the calling thread runs on;
// Load sums the words; Reset swaps them to zero. In the RSEQ backend Add is
// one restartable sequence ending in a plain add, with no atomic
// instruction, and Reset stops every slot for a few microseconds; in the
// Atomic backend Add is one atomic add and Reset blocks nobody. The
// backends are described in [github.com/gorseq/rseq], whose Detect reports
// which one runs.
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
// # Memory
//
// A counter costs 8 bytes per slot of per-CPU memory plus an 8-byte header
// on the Go heap, with no padding: counters share cache lines, but only
// with counters of the same slot, which other CPUs do not write. [New]
// allocates counters in blocks of 64 that share one item of per-CPU memory
// and one cleanup; a block's per-CPU memory returns to the pool once all 64
// of its counters are unreachable, so one live counter keeps its block's
// memory (64 x 8 bytes per slot) alive. With 2 slots, a million counters
// measured about 25 bytes each (Go heap plus per-CPU memory), against about
// 162 for a striped counter with one padded int64 per CPU.
//
// The zero Counter is not usable (its methods panic): create counters with
// [New], and Arrays with [NewArray]. Counters and Arrays must not be
// copied; go vet reports copies.
package counter
