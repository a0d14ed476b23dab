package ringbuf_test

import (
	"context"
	"runtime"
	"strconv"
	"sync"
	"testing"

	"github.com/gorseq/rseq/lockfree"
	"github.com/gorseq/rseq/ringbuf"
)

// The benchmarks compare Ring with its peers in the standard library and
// lockfree. The Atomic backend is measured by running them with
// GORSEQ=atomic in the environment (impl=rseq then names the package as
// built, on that backend).

// pushBatch is how many values a single-goroutine Push benchmark pushes
// between two drains, made with the timer stopped.
const pushBatch = 1 << 14

// pushPeer is what the Push benchmarks need of an implementation.
type pushPeer struct {
	push  func(uint64) bool
	pop   func() (uint64, bool)
	drain func()
}

func ringPeer(b *testing.B, perCPU int) (*ringbuf.Ring[uint64], pushPeer) {
	r := newRing[uint64](b, perCPU)
	return r, pushPeer{push: r.Push, pop: r.Pop, drain: func() {
		for range r.Drain {
		}
	}}
}

func chanPeer(n int) pushPeer {
	ch := make(chan uint64, n)
	return pushPeer{
		push: func(v uint64) bool {
			select {
			case ch <- v:
				return true
			default:
				return false
			}
		},
		pop: func() (uint64, bool) {
			select {
			case v := <-ch:
				return v, true
			default:
				return 0, false
			}
		},
		drain: func() {
			for len(ch) > 0 {
				<-ch
			}
		},
	}
}

func queuePeer(b *testing.B, n int) pushPeer {
	q, err := lockfree.NewQueue[uint64](n)
	if err != nil {
		b.Fatal(err)
	}
	return pushPeer{push: q.Push, pop: q.Pop, drain: func() {
		for {
			if _, ok := q.Pop(); !ok {
				return
			}
		}
	}}
}

// BenchmarkPush measures a successful push from one goroutine: the
// structures are drained, with the timer stopped, every pushBatch pushes.
// The ring's pushes and the channel's sends are direct calls (not through
// pushPeer's func values) so that their cost is not hidden by an indirect
// call.
func BenchmarkPush(b *testing.B) {
	b.Run("impl=rseq", func(b *testing.B) {
		r, p := ringPeer(b, pushBatch)
		b.ReportAllocs()
		var i uint64
		for b.Loop() {
			if !r.Push(i) {
				b.Fatal("ring full")
			}
			if i++; i%pushBatch == 0 {
				b.StopTimer()
				p.drain()
				b.StartTimer()
			}
		}
	})
	b.Run("peer=chan", func(b *testing.B) {
		ch := make(chan uint64, pushBatch)
		b.ReportAllocs()
		var i uint64
		for b.Loop() {
			ch <- i
			if i++; i%pushBatch == 0 {
				b.StopTimer()
				for len(ch) > 0 {
					<-ch
				}
				b.StartTimer()
			}
		}
	})
	b.Run("peer=lockfree", func(b *testing.B) {
		q, err := lockfree.NewQueue[uint64](pushBatch)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		var i uint64
		for b.Loop() {
			if !q.Push(i) {
				b.Fatal("queue full")
			}
			if i++; i%pushBatch == 0 {
				b.StopTimer()
				for {
					if _, ok := q.Pop(); !ok {
						break
					}
				}
				b.StartTimer()
			}
		}
	})
}

// BenchmarkPushPop measures push and pop from every goroutine of
// RunParallel (run with -cpu 1,2): each goroutine pushes, and when a push
// finds the structure full it pops what it can before going on. Every value
// is pushed once and popped once, so ns/op is the cost of both halves.
func BenchmarkPushPop(b *testing.B) {
	const n = 1 << 12
	run := func(b *testing.B, p pushPeer) {
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			var i uint64
			for pb.Next() {
				i++
				for !p.push(i) {
					for k := 0; k < n/4; k++ {
						if _, ok := p.pop(); !ok {
							break
						}
					}
				}
			}
		})
	}
	b.Run("impl=rseq", func(b *testing.B) {
		_, p := ringPeer(b, n)
		run(b, p)
	})
	b.Run("peer=chan", func(b *testing.B) { run(b, chanPeer(n)) })
	b.Run("peer=lockfree", func(b *testing.B) { run(b, queuePeer(b, n)) })
}

// BenchmarkThroughput2P1C moves b.N values from two producer goroutines to
// one consumer goroutine; ns/op is the wall time per value delivered.
// Producers retry a full structure after runtime.Gosched (the channel's
// block instead). The consumer pops until it has every value; when it finds
// nothing it yields (the ring, lockfree.Queue), or blocks in the receive
// (the channel). consumer=Wait parks in Ring.Wait instead of yielding: each
// park costs a membarrier and a wake-up, and with a consumer as fast as the
// producers it parks often.
func BenchmarkThroughput2P1C(b *testing.B) {
	const n = 1 << 12
	run := func(b *testing.B, push func(uint64) bool, pop func() (uint64, bool), idle func()) {
		b.ReportAllocs()
		total := b.N
		b.ResetTimer()
		var wg sync.WaitGroup
		for p := range 2 {
			count := total / 2
			if p == 0 {
				count = total - total/2
			}
			wg.Go(func() {
				for i := range count {
					for !push(uint64(i)) {
						runtime.Gosched()
					}
				}
			})
		}
		for got := 0; got < total; {
			if _, ok := pop(); ok {
				got++
			} else {
				idle()
			}
		}
		wg.Wait()
		b.ReportMetric(float64(total)/b.Elapsed().Seconds(), "values/s")
	}
	wait := func(r *ringbuf.Ring[uint64]) func() {
		return func() { r.Wait(context.Background()) }
	}
	b.Run("impl=rseq", func(b *testing.B) {
		r := newRing[uint64](b, n)
		run(b, r.Push, r.Pop, runtime.Gosched)
	})
	b.Run("impl=rseq/consumer=Wait", func(b *testing.B) {
		r := newRing[uint64](b, n)
		run(b, r.Push, r.Pop, wait(r))
	})
	b.Run("impl=rseq/consumer=PopN", func(b *testing.B) {
		r := newRing[uint64](b, n)
		buf := make([]uint64, 0, 256)
		next := 0
		pop := func() (uint64, bool) {
			if next == len(buf) {
				buf, next = r.PopN(buf[:0], cap(buf)), 0
				if len(buf) == 0 {
					return 0, false
				}
			}
			next++
			return buf[next-1], true
		}
		run(b, r.Push, pop, runtime.Gosched)
	})
	b.Run("peer=chan", func(b *testing.B) {
		ch := make(chan uint64, n)
		run(b, func(v uint64) bool { ch <- v; return true }, func() (uint64, bool) { return <-ch, true }, nil)
	})
	b.Run("peer=lockfree", func(b *testing.B) {
		q, err := lockfree.NewQueue[uint64](n)
		if err != nil {
			b.Fatal(err)
		}
		run(b, q.Push, q.Pop, runtime.Gosched)
	})
}

// BenchmarkPop measures a successful pop from one goroutine: the structures
// are refilled, with the timer stopped, every pushBatch pops.
func BenchmarkPop(b *testing.B) {
	run := func(b *testing.B, p pushPeer) {
		b.ReportAllocs()
		refill := func() {
			b.StopTimer()
			for i := range pushBatch {
				if !p.push(uint64(i)) {
					break
				}
			}
			b.StartTimer()
		}
		refill()
		for b.Loop() {
			if _, ok := p.pop(); !ok {
				refill()
			}
		}
	}
	b.Run("impl=rseq", func(b *testing.B) {
		r := newRing[uint64](b, pushBatch)
		// run's loop, written out so that Pop and Push are called
		// directly: through a func value, an indirect call would add to
		// a pop of a few nanoseconds.
		refill := func() {
			b.StopTimer()
			for i := range pushBatch {
				if !r.Push(uint64(i)) {
					break
				}
			}
			b.StartTimer()
		}
		refill()
		b.ReportAllocs()
		for b.Loop() {
			if _, ok := r.Pop(); !ok {
				refill()
			}
		}
	})
	b.Run("peer=chan", func(b *testing.B) {
		ch := make(chan uint64, pushBatch)
		refill := func() {
			b.StopTimer()
			for i := range pushBatch {
				ch <- uint64(i)
			}
			b.StartTimer()
		}
		refill()
		b.ReportAllocs()
		for b.Loop() {
			select {
			case <-ch:
			default:
				refill()
			}
		}
	})
	b.Run("peer=lockfree", func(b *testing.B) { run(b, queuePeer(b, pushBatch)) })
}

// BenchmarkRecordsPush measures Records.Push of one record from one
// goroutine, drained with the timer stopped; the peer copies the record
// into a new slice and sends it on a buffered channel, which is what a
// channel of records costs.
func BenchmarkRecordsPush(b *testing.B) {
	for _, size := range []int{16, 200, 1000} {
		rec := make([]byte, size)
		for _, c := range []struct {
			name string
			opts []ringbuf.Option
		}{
			{"/impl=rseq", nil},
			{"/impl=rseq/checksum", []ringbuf.Option{ringbuf.WithChecksum()}},
		} {
			b.Run("size="+strconv.Itoa(size)+c.name, func(b *testing.B) {
				r := newRecords(b, 1<<16, c.opts...)
				var buf []byte
				b.SetBytes(int64(size))
				b.ReportAllocs()
				for b.Loop() {
					if r.Push(rec) != nil {
						b.StopTimer()
						for {
							var ok bool
							if buf, ok = r.Pop(buf[:0]); !ok {
								break
							}
						}
						b.StartTimer()
					}
				}
			})
		}
		b.Run("size="+strconv.Itoa(size)+"/peer=chan", func(b *testing.B) {
			ch := make(chan []byte, pushBatch)
			b.SetBytes(int64(size))
			b.ReportAllocs()
			for b.Loop() {
				select {
				case ch <- append([]byte(nil), rec...):
				default:
					b.StopTimer()
					for len(ch) > 0 {
						<-ch
					}
					b.StartTimer()
				}
			}
		})
	}
}
