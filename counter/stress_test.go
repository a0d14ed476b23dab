package counter_test

import (
	"math/rand/v2"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorseq/rseq/counter"
	"github.com/gorseq/rseq/internal/torture"
)

// scale is torture.Scale, with the short size in the rseqdelay build too
// (an Add costs microseconds there, and some tests count operations).
func scale(full, race, short int) int {
	if delayBuild {
		return short
	}
	return torture.Scale(full, race, short)
}

// rands returns a random source per worker.
func rands(stream uint64) []*rand.Rand {
	rs := make([]*rand.Rand, torture.Workers())
	for w := range rs {
		rs[w] = rand.New(rand.NewPCG(uint64(w), stream))
	}
	return rs
}

// delta is the next delta of a stream: small, some negative, some zero.
func delta(r *rand.Rand) int64 { return int64(r.IntN(13)) - 3 }

// pace yields every 256th operation and sleeps a little every 4096th,
// shifting the goroutines' interleavings as the selftest's -y and -s
// options do.
func pace(r *rand.Rand, k int) {
	switch {
	case k%4096 == 4095:
		time.Sleep(time.Duration(r.IntN(20)) * time.Microsecond)
	case k%256 == 255:
		runtime.Gosched()
	}
}

// sideLoop runs f in a loop on a goroutine until stop is closed, with a
// short sleep after every call.
func sideLoop(wg *sync.WaitGroup, stop <-chan struct{}, f func(i int)) {
	torture.Loop(wg, stop, func(i int) {
		f(i)
		time.Sleep(time.Duration(i%50) * time.Microsecond)
	})
}

// TestCounterExact checks that no Add is lost or counted twice: the sum of
// every Add equals the sum of every Reset's result plus the final Load,
// with 6 x CPUs adders (Add and Inc) at GOMAXPROCS 8, a goroutine resetting
// in a loop, another loading, and each fault injector of internal/torture
// (churned threads add too), alone and together.
func TestCounterExact(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(8))
	c := counter.New()
	var added atomic.Int64 // by workers and churned threads, this subtest
	var seed atomic.Uint64
	churn := func() {
		r := rand.New(rand.NewPCG(seed.Add(1), 7))
		var sum int64
		for range 100 {
			d := delta(r)
			c.Add(d)
			sum += d
		}
		added.Add(sum)
	}
	torture.Stress(t, churn, func(t *testing.T) (int64, func() int64) {
		stop := make(chan struct{})
		var resets, nresets int64
		var side sync.WaitGroup
		sideLoop(&side, stop, func(int) { resets += c.Reset(); nresets++ })
		sideLoop(&side, stop, func(int) { c.Load() })
		sums, rs := make([]int64, torture.Workers()), rands(1)
		ops := torture.Hammer(torture.Workers(), torture.StressTime(), func(w, k int) {
			r := rs[w]
			d := delta(r)
			if d == 1 && w%3 != 0 {
				c.Inc()
			} else {
				c.Add(d)
			}
			sums[w] += d
			pace(r, k)
		})
		close(stop)
		side.Wait()
		for _, s := range sums {
			added.Add(s)
		}
		return ops, func() int64 {
			// The injectors have stopped: every Add has returned.
			final := c.Reset()
			want := added.Swap(0)
			t.Logf("%d resets", nresets)
			if got := resets + final; got != want {
				t.Errorf("resets %d + final Load %d = %d, want the sum of all Adds %d (off by %d)",
					resets, final, got, want, got-want)
				return 1
			}
			return 0
		}
	})
}

// TestArrayExact is TestCounterExact for an Array: adders and a resetter
// work on random elements, and every element must balance on its own.
func TestArrayExact(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(8))
	const n = 5
	a, err := counter.NewArray(n)
	if err != nil {
		t.Fatal(err)
	}
	var added [n]atomic.Int64 // by workers and churned threads, this subtest
	var seed atomic.Uint64
	churn := func() {
		r := rand.New(rand.NewPCG(seed.Add(1), 3))
		for range 100 {
			i, d := r.IntN(n), delta(r)
			a.Add(i, d)
			added[i].Add(d)
		}
	}
	torture.Stress(t, churn, func(t *testing.T) (int64, func() int64) {
		stop := make(chan struct{})
		var resets [n]int64
		var side sync.WaitGroup
		sideLoop(&side, stop, func(k int) {
			resets[k%n] += a.Reset(k % n)
			a.Load((k + 2) % n)
		})
		sums, rs := make([][n]int64, torture.Workers()), rands(3)
		ops := torture.Hammer(torture.Workers(), torture.StressTime(), func(w, k int) {
			r := rs[w]
			i, d := r.IntN(n), delta(r)
			a.Add(i, d)
			sums[w][i] += d
			pace(r, k)
		})
		close(stop)
		side.Wait()
		for _, s := range sums {
			for i := range n {
				added[i].Add(s[i])
			}
		}
		return ops, func() int64 {
			var bad int64
			for i := range n {
				final := a.Reset(i)
				if got, want := resets[i]+final, added[i].Swap(0); got != want {
					t.Errorf("element %d: resets %d + final Load %d = %d, want the sum of its Adds %d (off by %d)",
						i, resets[i], final, got, want, got-want)
					bad++
				}
			}
			return bad
		}
	})
}
