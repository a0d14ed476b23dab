package list_test

import (
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorseq/rseq/list"
	"github.com/gorseq/rseq/lockfree"
)

// Run with -cpu 1,2: with one P, RunParallel runs a single goroutine. The
// Atomic backend is measured by the same benchmarks with GORSEQ=atomic.
// Each sub-benchmark writes out its loop around direct calls, on purpose:
// a loop shared through an interface or a func value would add an
// indirect call to operations of a few nanoseconds.

// BenchmarkPerCPU: one Push and one Pop per operation, against sync.Pool's
// Put and Get and lockfree.Stack's Push and Pop.
func BenchmarkPerCPU(b *testing.B) {
	b.Run("impl=rseq", func(b *testing.B) {
		l, err := list.NewPerCPU[*int](1024)
		if err != nil {
			b.Fatal(err)
		}
		v := new(int)
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				l.Push(v)
				l.Pop()
			}
		})
	})
	// A value without pointers: Pop is one section on amd64.
	b.Run("impl=rseq/T=int64", func(b *testing.B) {
		l, err := list.NewPerCPU[int64](1024)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				l.Push(1)
				l.Pop()
			}
		})
	})
	b.Run("peer=syncpool", benchSyncPool)
	b.Run("peer=lockfree.Stack", func(b *testing.B) {
		var s lockfree.Stack[*int]
		v := new(int)
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				s.Push(v)
				s.Pop()
			}
		})
	})
}

// BenchmarkReadSection: an empty read-side section, against an empty
// sync.RWMutex read lock.
func BenchmarkReadSection(b *testing.B) {
	b.Run("impl=rseq", func(b *testing.B) {
		d := list.NewRCU()
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				d.ReadUnlock(d.ReadLock())
			}
		})
	})
	b.Run("peer=rwmutex", func(b *testing.B) {
		var mu sync.RWMutex
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				mu.RLock()
				mu.RUnlock() //nolint:staticcheck // an empty section is the point
			}
		})
	})
}

// BenchmarkAll16: a traversal of 16 values, against a slice read under a
// sync.RWMutex and a copy-on-write slice behind an atomic.Pointer.
func BenchmarkAll16(b *testing.B) {
	const n = 16
	want := n * (n - 1) / 2
	b.Run("impl=rseq", func(b *testing.B) {
		l := list.New[int](nil)
		for i := range n {
			l.PushBack(i)
		}
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				sum := 0
				for v := range l.All() {
					sum += v
				}
				if sum != want {
					b.Fatalf("sum %d", sum)
				}
			}
		})
	})
	b.Run("peer=rwmutex", func(b *testing.B) {
		var mu sync.RWMutex
		s := make([]int, 0, n)
		for i := range n {
			s = append(s, i)
		}
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				sum := 0
				mu.RLock()
				for _, v := range s {
					sum += v
				}
				mu.RUnlock()
				if sum != want {
					b.Fatalf("sum %d", sum)
				}
			}
		})
	})
	b.Run("peer=cow", func(b *testing.B) {
		var p atomic.Pointer[[]int]
		s := make([]int, 0, n)
		for i := range n {
			s = append(s, i)
		}
		p.Store(&s)
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				sum := 0
				for _, v := range *p.Load() {
					sum += v
				}
				if sum != want {
					b.Fatalf("sum %d", sum)
				}
			}
		})
	})
}

// BenchmarkSynchronize: a grace period with no reader, one goroutine. It
// reports the median besides the mean, which the occasional preempted
// membarrier skews.
func BenchmarkSynchronize(b *testing.B) {
	b.Run("impl=rseq", func(b *testing.B) {
		d := list.NewRCU()
		times := make([]time.Duration, 0, b.N)
		b.ResetTimer()
		for range b.N {
			t0 := time.Now()
			d.Synchronize()
			times = append(times, time.Since(t0))
		}
		b.StopTimer()
		slices.Sort(times)
		b.ReportMetric(float64(times[len(times)/2].Nanoseconds())/1e3, "median-µs")
	})
}

// benchSyncPool is the sync.Pool peer of BenchmarkPerCPU and BenchmarkPool:
// a Get and a Put per operation.
func benchSyncPool(b *testing.B) {
	p := sync.Pool{New: func() any { return new(int) }}
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			p.Put(p.Get())
		}
	})
}
