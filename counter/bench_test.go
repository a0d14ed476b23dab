package counter_test

import (
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/gorseq/rseq/counter"
)

// The peers: a shared atomic.Int64, and stripedCounter (memory_test.go),
// a striped counter with xsync v4's layout and Add. The Atomic backend is
// measured by running these with GORSEQ=atomic. Each sub-benchmark writes
// out its loop around direct calls, on purpose: a loop shared through an
// interface or a func value would add an indirect call to an Add of a few
// nanoseconds.
//
// Besides ns/op (wall clock), each benchmark reports cpu-ns/op: the CPU time
// the whole process used, per op. On a machine shared with other busy
// processes it does not count the time the benchmark waits for a CPU; with
// RunParallel it counts every goroutine's CPU time (so about ns/op x -cpu
// when the goroutines keep the CPUs busy).

// cpuMetric starts measuring CPU time; call the result when the timed loop
// ends.
func cpuMetric(b *testing.B) func() {
	start := cpuNanos()
	return func() {
		if end := cpuNanos(); start >= 0 && end >= 0 && b.N > 0 {
			b.ReportMetric(float64(end-start)/float64(b.N), "cpu-ns/op")
		}
	}
}

func BenchmarkAdd(b *testing.B) {
	b.Run("impl=rseq", func(b *testing.B) {
		b.ReportAllocs()
		defer cpuMetric(b)()
		c := counter.New()
		for b.Loop() {
			c.Add(1)
		}
	})
	b.Run("impl=array", func(b *testing.B) {
		b.ReportAllocs()
		defer cpuMetric(b)()
		a, err := counter.NewArray(8)
		if err != nil {
			b.Fatal(err)
		}
		i := 0
		for b.Loop() {
			a.Add(i&7, 1)
			i++
		}
	})
	b.Run("peer=atomic", func(b *testing.B) {
		b.ReportAllocs()
		defer cpuMetric(b)()
		var c atomic.Int64
		for b.Loop() {
			c.Add(1)
		}
	})
	b.Run("peer=striped", func(b *testing.B) {
		b.ReportAllocs()
		defer cpuMetric(b)()
		c := newStripedCounter()
		for b.Loop() {
			c.Add(1)
		}
	})
}

func BenchmarkAddParallel(b *testing.B) {
	b.Run("impl=rseq", func(b *testing.B) {
		b.ReportAllocs()
		defer cpuMetric(b)()
		c := counter.New()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				c.Add(1)
			}
		})
	})
	b.Run("impl=array", func(b *testing.B) {
		b.ReportAllocs()
		defer cpuMetric(b)()
		a, err := counter.NewArray(8)
		if err != nil {
			b.Fatal(err)
		}
		b.RunParallel(func(pb *testing.PB) {
			i := 0
			for pb.Next() {
				a.Add(i&7, 1)
				i++
			}
		})
	})
	b.Run("peer=atomic", func(b *testing.B) {
		b.ReportAllocs()
		defer cpuMetric(b)()
		var c atomic.Int64
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				c.Add(1)
			}
		})
	})
	b.Run("peer=striped", func(b *testing.B) {
		b.ReportAllocs()
		defer cpuMetric(b)()
		c := newStripedCounter()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				c.Add(1)
			}
		})
	})
}

var sink int64

func BenchmarkLoad(b *testing.B) {
	b.Run("impl=rseq", func(b *testing.B) {
		b.ReportAllocs()
		defer cpuMetric(b)()
		c := counter.New()
		c.Add(1)
		for b.Loop() {
			sink += c.Load()
		}
	})
	b.Run("peer=atomic", func(b *testing.B) {
		b.ReportAllocs()
		defer cpuMetric(b)()
		var c atomic.Int64
		for b.Loop() {
			sink += c.Load()
		}
	})
	b.Run("peer=striped", func(b *testing.B) {
		b.ReportAllocs()
		defer cpuMetric(b)()
		c := newStripedCounter()
		for b.Loop() {
			sink += c.Load()
		}
	})
}

// BenchmarkReset shows what a Reset costs: in the RSEQ backend, stopping
// every slot with a membarrier fence.
func BenchmarkReset(b *testing.B) {
	b.Run("impl=rseq", func(b *testing.B) {
		b.ReportAllocs()
		defer cpuMetric(b)()
		c := counter.New()
		for b.Loop() {
			c.Add(1)
			sink += c.Reset()
		}
	})
	b.Run("peer=atomic", func(b *testing.B) {
		b.ReportAllocs()
		defer cpuMetric(b)()
		var c atomic.Int64
		for b.Loop() {
			c.Add(1)
			sink += c.Swap(0)
		}
	})
}

// Add is the striped peer's add, as xsync v4 does it: a token from a
// sync.Pool (tokens tend to stay with a P) picks the stripe, and a failed
// CAS moves the token to a random other stripe.
func (c *stripedCounter) Add(delta int64) {
	t, ok := tokens.Get().(*token)
	if !ok {
		t = &token{idx: rand.Uint32()}
	}
	for {
		s := &c.stripes[t.idx&c.mask]
		v := s.v.Load()
		if s.v.CompareAndSwap(v, v+delta) {
			break
		}
		t.idx = rand.Uint32()
	}
	tokens.Put(t)
}

var tokens sync.Pool

type token struct{ idx uint32 }
