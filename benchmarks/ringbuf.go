package benchmarks

import (
	"testing"

	"github.com/puzpuzpuz/xsync/v4"

	"github.com/gorseq/rseq/lockfree"
	"github.com/gorseq/rseq/ringbuf"
)

// The ringbuf suite: Ring's Push against a buffered channel's send,
// xsync's MPMCQueue.TryEnqueue and lockfree.Queue.Push, and the end-to-end
// throughput of two producers and one consumer.
//
// One goroutine's Push: each structure holds pushBatch values (the ring
// per CPU) and is emptied, with the timer stopped, every pushBatch pushes,
// so that every timed push succeeds. On every CPU (RunParallel), each
// goroutine pushes, and when its push finds the structure full it pops up
// to ringDrain values before going on: every value is pushed once and
// popped at most once, and the pops are part of the time.

const (
	pushBatch = 1 << 14
	ringCap   = 1 << 12 // per CPU for the ring; in all for the others
	ringDrain = ringCap / 4
)

func ringbufSuite() *Structure {
	return &Structure{
		Name: "ringbuf",
		Doc:  "per-CPU ring of uint64 values: producers' Push, and 2 producers to 1 consumer",
		Cases: []*Case{
			{
				Name: "Push", Op: "Push of one value (1 goroutine: drained untimed; N CPUs: a full structure is popped in batches, timed)",
				Bench: "RingPush", ParBench: "RingPushParallel",
				Impls: []Impl{
					{Name: "impl=rseq", Backend: true, Single: pushRing, Parallel: pushRingPar},
					{Name: "peer=chan", Single: pushChan, Parallel: pushChanPar},
					{Name: "peer=xsync", Single: pushXsync, Parallel: pushXsyncPar},
					{Name: "peer=lockfree", Single: pushQueue, Parallel: pushQueuePar},
				},
			},
			{
				Name: "Ring2P1C", Op: "one value moved from a producer to the consumer",
				ParBench: "Ring2P1C", Fixed: true, ParDoc: "2 producers, 1 consumer",
				Impls: []Impl{
					{Name: "impl=rseq", Backend: true, Parallel: func(b *testing.B) {
						r := newRing[int](b, ringCap)
						runProdCons(b, 2, 1, r.Push, r.Pop, false)
					}},
					{Name: "peer=chan", Parallel: func(b *testing.B) {
						ch := make(chan int, ringCap)
						runProdCons(b, 2, 1, func(v int) bool { ch <- v; return true }, func() (int, bool) { return <-ch, true }, true)
					}},
					{Name: "peer=xsync", Parallel: func(b *testing.B) {
						q := xsync.NewMPMCQueue[int](ringCap)
						runProdCons(b, 2, 1, q.TryEnqueue, q.TryDequeue, false)
					}},
					{Name: "peer=lockfree", Parallel: func(b *testing.B) {
						q, err := lockfree.NewQueue[int](ringCap)
						if err != nil {
							b.Fatal(err)
						}
						runProdCons(b, 2, 1, q.Push, q.Pop, false)
					}},
				},
			},
		},
	}
}

func newRing[T any](b *testing.B, perCPU int) *ringbuf.Ring[T] {
	r, err := ringbuf.New[T](perCPU)
	if err != nil {
		b.Fatal(err)
	}
	return r
}

// One goroutine: every push succeeds.

func pushRing(b *testing.B) {
	b.ReportAllocs()
	r := newRing[uint64](b, pushBatch)
	var i, popped uint64
	for b.Loop() {
		if !r.Push(i) {
			b.Fatal("ring full")
		}
		if i++; i%pushBatch == 0 {
			b.StopTimer()
			for v := range r.Drain {
				popped += v
			}
			b.StartTimer()
		}
	}
	keep(int64(popped))
}

func pushChan(b *testing.B) {
	b.ReportAllocs()
	ch := make(chan uint64, pushBatch)
	var i, popped uint64
	for b.Loop() {
		ch <- i
		if i++; i%pushBatch == 0 {
			b.StopTimer()
			for len(ch) > 0 {
				popped += <-ch
			}
			b.StartTimer()
		}
	}
	keep(int64(popped))
}

func pushXsync(b *testing.B) {
	b.ReportAllocs()
	q := xsync.NewMPMCQueue[uint64](pushBatch)
	var i, popped uint64
	for b.Loop() {
		if !q.TryEnqueue(i) {
			b.Fatal("queue full")
		}
		if i++; i%pushBatch == 0 {
			b.StopTimer()
			for {
				v, ok := q.TryDequeue()
				if !ok {
					break
				}
				popped += v
			}
			b.StartTimer()
		}
	}
	keep(int64(popped))
}

func pushQueue(b *testing.B) {
	b.ReportAllocs()
	q, err := lockfree.NewQueue[uint64](pushBatch)
	if err != nil {
		b.Fatal(err)
	}
	var i, popped uint64
	for b.Loop() {
		if !q.Push(i) {
			b.Fatal("queue full")
		}
		if i++; i%pushBatch == 0 {
			b.StopTimer()
			for {
				v, ok := q.Pop()
				if !ok {
					break
				}
				popped += v
			}
			b.StartTimer()
		}
	}
	keep(int64(popped))
}

// Every CPU: a push that finds the structure full pops a batch first.

func pushRingPar(b *testing.B) {
	b.ReportAllocs()
	r := newRing[uint64](b, ringCap)
	b.RunParallel(func(pb *testing.PB) {
		var i, popped uint64
		for pb.Next() {
			i++
			for !r.Push(i) {
				for range ringDrain {
					v, ok := r.Pop()
					if !ok {
						break
					}
					popped += v
				}
			}
		}
		keep(int64(popped))
	})
}

func pushChanPar(b *testing.B) {
	b.ReportAllocs()
	ch := make(chan uint64, ringCap)
	b.RunParallel(func(pb *testing.PB) {
		var i, popped uint64
		for pb.Next() {
			i++
		push:
			for {
				select {
				case ch <- i:
					break push
				default:
				}
			pop:
				for range ringDrain {
					select {
					case v := <-ch:
						popped += v
					default:
						break pop
					}
				}
			}
		}
		keep(int64(popped))
	})
}

func pushXsyncPar(b *testing.B) {
	b.ReportAllocs()
	q := xsync.NewMPMCQueue[uint64](ringCap)
	b.RunParallel(func(pb *testing.PB) {
		var i, popped uint64
		for pb.Next() {
			i++
			for !q.TryEnqueue(i) {
				for range ringDrain {
					v, ok := q.TryDequeue()
					if !ok {
						break
					}
					popped += v
				}
			}
		}
		keep(int64(popped))
	})
}

func pushQueuePar(b *testing.B) {
	b.ReportAllocs()
	q, err := lockfree.NewQueue[uint64](ringCap)
	if err != nil {
		b.Fatal(err)
	}
	b.RunParallel(func(pb *testing.PB) {
		var i, popped uint64
		for pb.Next() {
			i++
			for !q.Push(i) {
				for range ringDrain {
					v, ok := q.Pop()
					if !ok {
						break
					}
					popped += v
				}
			}
		}
		keep(int64(popped))
	})
}
