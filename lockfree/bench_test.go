package lockfree_test

import (
	"runtime"
	"sync"
	"testing"

	"github.com/gorseq/rseq/lockfree"
)

// Benchmarks compare each structure (impl=lockfree) with its obvious
// peers: a buffered channel (peer=chan) and a ring or slice guarded by a
// sync.Mutex (peer=mutex). Each peer's loop is written out, not reached
// through an interface, so that no benchmark pays for an indirect call the
// others do not.
//
//	go test -run '^$' -bench . -count 6 ./lockfree/ | benchstat -col /impl,/peer -

const benchCap = 1024

// mutexRing is a bounded FIFO queue guarded by a mutex. The benchmarks
// module has its own (benchmarks/lockfree.go): it cannot import a test
// file, and this package exports no benchmark peer.
type mutexRing struct {
	mu         sync.Mutex
	buf        []int
	head, size int
}

func newMutexRing(n int) *mutexRing { return &mutexRing{buf: make([]int, n)} }

func (r *mutexRing) push(v int) bool {
	r.mu.Lock()
	if r.size == len(r.buf) {
		r.mu.Unlock()
		return false
	}
	r.buf[(r.head+r.size)%len(r.buf)] = v
	r.size++
	r.mu.Unlock()
	return true
}

func (r *mutexRing) pop() (int, bool) {
	r.mu.Lock()
	if r.size == 0 {
		r.mu.Unlock()
		return 0, false
	}
	v := r.buf[r.head]
	r.head = (r.head + 1) % len(r.buf)
	r.size--
	r.mu.Unlock()
	return v, true
}

var sink int

// yieldAfter is the back-off of retry loops around non-blocking operations:
// retry at once a few times, as the obstacle (a full or empty queue, or an
// operation of another goroutine in progress) may well clear within
// nanoseconds, then yield the processor.
func yieldAfter(failures int) {
	if failures >= 16 {
		runtime.Gosched()
	}
}

// BenchmarkQueuePushPop times a Push followed by a Pop on one goroutine.
func BenchmarkQueuePushPop(b *testing.B) {
	b.Run("impl=lockfree", func(b *testing.B) {
		q, _ := lockfree.NewQueue[int](benchCap)
		b.ReportAllocs()
		s := 0
		for i := 0; b.Loop(); i++ {
			q.Push(i)
			v, _ := q.Pop()
			s += v
		}
		sink = s
	})
	b.Run("peer=chan", func(b *testing.B) {
		ch := make(chan int, benchCap)
		b.ReportAllocs()
		s := 0
		for i := 0; b.Loop(); i++ {
			select {
			case ch <- i:
			default:
			}
			select {
			case v := <-ch:
				s += v
			default:
			}
		}
		sink = s
	})
	b.Run("peer=mutex", func(b *testing.B) {
		r := newMutexRing(benchCap)
		b.ReportAllocs()
		s := 0
		for i := 0; b.Loop(); i++ {
			r.push(i)
			v, _ := r.pop()
			s += v
		}
		sink = s
	})
}

// BenchmarkQueuePushPopParallel times Push-Pop pairs on GOMAXPROCS
// goroutines sharing one queue. A failed Pop (the head element's Push still
// in progress, for the lock-free queue) is retried, see yieldAfter.
func BenchmarkQueuePushPopParallel(b *testing.B) {
	b.Run("impl=lockfree", func(b *testing.B) {
		q, _ := lockfree.NewQueue[int](benchCap)
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				for n := 0; !q.Push(1); n++ {
					yieldAfter(n)
				}
				for n := 0; ; n++ {
					if _, ok := q.Pop(); ok {
						break
					}
					yieldAfter(n)
				}
			}
		})
	})
	b.Run("peer=chan", func(b *testing.B) {
		ch := make(chan int, benchCap)
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				ch <- 1
				<-ch
			}
		})
	})
	b.Run("peer=mutex", func(b *testing.B) {
		r := newMutexRing(benchCap)
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				for n := 0; !r.push(1); n++ {
					yieldAfter(n)
				}
				for n := 0; ; n++ {
					if _, ok := r.pop(); ok {
						break
					}
					yieldAfter(n)
				}
			}
		})
	})
}

// BenchmarkQueueSPSC moves b.N values from one producer to one consumer.
func BenchmarkQueueSPSC(b *testing.B) { benchProdCons(b, 1, 1) }

// BenchmarkQueueMPMC moves b.N values from two producers to two consumers.
func BenchmarkQueueMPMC(b *testing.B) { benchProdCons(b, 2, 2) }

// benchProdCons moves b.N values through a queue from producers to
// consumers goroutines. Callers of the lock-free queue and the mutex ring
// retry when it is full or empty, see yieldAfter; the channel blocks, as it
// would be used.
func benchProdCons(b *testing.B, producers, consumers int) {
	run := func(b *testing.B, push func(p, n int), pop func(n int)) {
		b.ReportAllocs()
		var wg sync.WaitGroup
		b.ResetTimer()
		for p := range producers {
			n := b.N / producers
			if p == 0 {
				n += b.N % producers
			}
			wg.Go(func() { push(p, n) })
		}
		for c := range consumers {
			n := b.N / consumers
			if c == 0 {
				n += b.N % consumers
			}
			wg.Go(func() { pop(n) })
		}
		wg.Wait()
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "ops/s")
	}
	b.Run("impl=lockfree", func(b *testing.B) {
		q, _ := lockfree.NewQueue[int](benchCap)
		run(b, func(p, n int) {
			for i := range n {
				for n := 0; !q.Push(i); n++ {
					yieldAfter(n)
				}
			}
		}, func(n int) {
			for range n {
				for n := 0; ; n++ {
					if _, ok := q.Pop(); ok {
						break
					}
					yieldAfter(n)
				}
			}
		})
	})
	b.Run("peer=chan", func(b *testing.B) {
		ch := make(chan int, benchCap)
		run(b, func(p, n int) {
			for i := range n {
				ch <- i
			}
		}, func(n int) {
			for range n {
				<-ch
			}
		})
	})
	b.Run("peer=mutex", func(b *testing.B) {
		r := newMutexRing(benchCap)
		run(b, func(p, n int) {
			for i := range n {
				for n := 0; !r.push(i); n++ {
					yieldAfter(n)
				}
			}
		}, func(n int) {
			for range n {
				for n := 0; ; n++ {
					if _, ok := r.pop(); ok {
						break
					}
					yieldAfter(n)
				}
			}
		})
	})
}

// BenchmarkStackPushPop times Push-Pop pairs on GOMAXPROCS goroutines
// sharing one stack.
func BenchmarkStackPushPop(b *testing.B) {
	b.Run("impl=lockfree", func(b *testing.B) {
		var s lockfree.Stack[int]
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				s.Push(1)
				s.Pop()
			}
		})
	})
	b.Run("peer=mutex", func(b *testing.B) {
		var s mutexStack[int]
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				s.push(1)
				s.pop()
			}
		})
	})
}

// BenchmarkIndexStackPopPush times taking an index from a free list and
// giving it back, on GOMAXPROCS goroutines sharing the list.
func BenchmarkIndexStackPopPush(b *testing.B) {
	b.Run("impl=lockfree", func(b *testing.B) {
		s, _ := lockfree.NewIndexStack(benchCap)
		for i := range benchCap {
			s.Push(uint32(i))
		}
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if i, ok := s.Pop(); ok {
					s.Push(i)
				}
			}
		})
	})
	b.Run("peer=mutex", func(b *testing.B) {
		var s mutexStack[int]
		for i := range benchCap {
			s.push(i)
		}
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if i, ok := s.pop(); ok {
					s.push(i)
				}
			}
		})
	})
}
