// Package counter provides per-CPU metrics for hot paths: [Counter], an
// int64 counter (requests, bytes, errors); [Array], n counters allocated
// together (a metric with an index label); [Float], a float64 counter
// (seconds, costs); and [Histogram], observations counted in buckets with
// fixed bounds (latencies), with exact interval snapshots. A [Registry]
// exposes them in Prometheus' text format, and each is an expvar.Var.
//
// Each counter keeps one int64 word per CPU slot in off-heap per-CPU
// memory. Add touches only the word of the slot the calling thread runs on;
// Load sums the words; Reset swaps them to zero. In the RSEQ backend Add is
// one restartable sequence ending in a plain add, with no atomic
// instruction, and Reset stops every slot for a few microseconds; in the
// Atomic backend Add is one compare-and-swap (two locked instructions when
// it meets contention, after which the goroutine uses another slot) and
// Reset blocks nobody. The backends are described in
// [github.com/gorseq/rseq], whose Detect reports which one runs.
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
//   - The same holds for Float (Add, Load, Reset) and for Histogram, whose
//     Observe is one critical section that adds the count and the value
//     together: Snapshot and SnapshotAndReset see every Observe that
//     returned before them, whole (its bucket count and its share of Sum
//     in the same snapshot), and SnapshotAndReset hands each Observe to
//     exactly one snapshot. A snapshot's Count is the sum of its Counts by
//     construction.
//
// # Floats and histograms
//
// In the RSEQ backend Float.Add is one restartable sequence (load, add in
// a floating-point register, store), and a histogram's Observe finds its bucket
// before its section, then adds {1, v} to a 16-byte {count, sum} pair
// whose commit is one instruction storing both words (MOVUPS on amd64, STP
// on arm64); snapshots, like Reset, stop every
// slot while they read. In the Atomic backend Float.Add is a
// compare-and-swap loop on its slot's bits, and Observe updates its pair
// under the slot's lock, which snapshots take too.
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
