package counter_test

import (
	"math/rand/v2"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/gorseq/rseq/counter"
	"github.com/gorseq/rseq/internal/torture"
)

// stressBounds and stressValues: bucket i receives only stressValues[i]
// (the +Inf bucket 16), and a few observations are NaN. So every snapshot
// must have Sum == sum of Counts[i] x stressValues[i] exactly: an
// observation whose count and value landed in different snapshots breaks
// that equality, and a lost or doubled one breaks the totals.
var (
	stressBounds = []float64{1, 2, 4, 8}
	stressValues = []float64{1, 2, 4, 8, 16}
)

// histTally is what a set of observations (or of snapshots) adds up to.
type histTally struct {
	counts [5]uint64
	nan    uint64
	sum    float64 // integers below 2^53: exact
}

func (t *histTally) observe(h *counter.Histogram, r *rand.Rand) {
	k := r.IntN(41)
	if k == 40 {
		h.Observe(nan())
		t.nan++
		return
	}
	i := k % 5
	h.Observe(stressValues[i])
	t.counts[i]++
	t.sum += stressValues[i]
}

func (t *histTally) add(o *histTally) {
	for i := range t.counts {
		t.counts[i] += o.counts[i]
	}
	t.nan += o.nan
	t.sum += o.sum
}

// addSnapshot adds s to t, after checking s on its own: Count is the sum
// of Counts, and Sum matches the counts (no observation split).
func (t *histTally) addSnapshot(s counter.HistogramSnapshot) (bad int) {
	var n uint64
	var sum float64
	for i, c := range s.Counts {
		n += c
		sum += float64(c) * stressValues[i]
		t.counts[i] += c
	}
	t.nan += s.NaN
	t.sum += s.Sum
	if n != s.Count {
		bad++
	}
	if sum != s.Sum {
		bad++
	}
	return bad
}

// TestHistogramExact: 6 x CPUs goroutines observe known values while
// another goroutine loops SnapshotAndReset and a third Snapshot, under
// each fault injector of internal/torture (churned threads observe too),
// alone and together. Every snapshot must be consistent on its own, and
// the snapshots plus a final one must hold every observation exactly once,
// bucket by bucket, with Sum and NaN exact.
func TestHistogramExact(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(8))
	h := newHist(t, stressBounds...)
	var mu sync.Mutex
	var churned histTally // by churned threads, this subtest
	var seed atomic.Uint64
	churn := func() {
		r := rand.New(rand.NewPCG(seed.Add(1), 11))
		var tl histTally
		for range 100 {
			tl.observe(h, r)
		}
		mu.Lock()
		churned.add(&tl)
		mu.Unlock()
	}
	torture.Stress(t, churn, func(t *testing.T) (int64, func() int64) {
		stop := make(chan struct{})
		var snaps histTally
		var nsnaps int64
		var inconsistent atomic.Int64 // both side loops count
		var side sync.WaitGroup
		sideLoop(&side, stop, func(int) {
			inconsistent.Add(int64(snaps.addSnapshot(h.SnapshotAndReset())))
			nsnaps++
		})
		var peeks histTally // Snapshot: consistent on its own, totals ignored
		sideLoop(&side, stop, func(int) { inconsistent.Add(int64(peeks.addSnapshot(h.Snapshot()))) })
		tallies, rs := make([]histTally, torture.Workers()), rands(5)
		ops := torture.Hammer(torture.Workers(), torture.StressTime(), func(w, k int) {
			tallies[w].observe(h, rs[w])
			pace(rs[w], k)
		})
		close(stop)
		side.Wait()
		return ops, func() int64 {
			// The injectors have stopped: every Observe has returned.
			bad := inconsistent.Load() + int64(snaps.addSnapshot(h.SnapshotAndReset()))
			if bad != 0 {
				t.Errorf("%d snapshots had a Sum or Count that disagrees with their Counts", bad)
			}
			var want histTally
			for i := range tallies {
				want.add(&tallies[i])
			}
			mu.Lock()
			want.add(&churned)
			churned = histTally{}
			mu.Unlock()
			t.Logf("%d snapshots and resets", nsnaps)
			if snaps != want {
				t.Errorf("snapshots add up to %+v, want the observations %+v", snaps, want)
				bad++
			}
			return bad
		}
	})
}

// TestFloatExact is TestCounterExact for a Float: integer deltas, so that
// every sum is exact in float64.
func TestFloatExact(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(8))
	f := counter.NewFloat()
	var added atomic.Int64 // by workers and churned threads, this subtest
	var seed atomic.Uint64
	churn := func() {
		r := rand.New(rand.NewPCG(seed.Add(1), 9))
		var sum int64
		for range 100 {
			d := delta(r)
			f.Add(float64(d))
			sum += d
		}
		added.Add(sum)
	}
	torture.Stress(t, churn, func(t *testing.T) (int64, func() int64) {
		stop := make(chan struct{})
		var resets float64
		var nresets int64
		var side sync.WaitGroup
		sideLoop(&side, stop, func(int) { resets += f.Reset(); nresets++ })
		sideLoop(&side, stop, func(int) { f.Load() })
		sums, rs := make([]int64, torture.Workers()), rands(9)
		ops := torture.Hammer(torture.Workers(), torture.StressTime(), func(w, k int) {
			d := delta(rs[w])
			f.Add(float64(d))
			sums[w] += d
			pace(rs[w], k)
		})
		close(stop)
		side.Wait()
		for _, s := range sums {
			added.Add(s)
		}
		return ops, func() int64 {
			final := f.Reset()
			want := float64(added.Swap(0))
			t.Logf("%d resets", nresets)
			if got := resets + final; got != want {
				t.Errorf("resets %v + final %v = %v, want the sum of all Adds %v (off by %v)", resets, final, got, want, got-want)
				return 1
			}
			return 0
		}
	})
}
