package benchmarks

import (
	"runtime"
	"strconv"
	"sync"
	"testing"

	"github.com/puzpuzpuz/xsync/v4"

	"github.com/gorseq/rseq/lockfree"
)

// The lockfree suite: lockfree.Queue (the bounded MPMC queue the fallbacks
// are built on) against a buffered channel, xsync's MPMCQueue and a
// mutex-guarded ring, all with room for queueCap values.
//
// The push-pop pair is a push followed by a pop on each goroutine. The
// producer-consumer cases move b.N values from producers to consumers;
// the channel blocks (as it would be used), the others retry a failed push
// or pop after runtime.Gosched. Consumers sum what they receive and the sum
// is checked, so every value is accounted for.

const queueCap = 1024

func lockfreeSuite() *Structure {
	return &Structure{
		Name: "lockfree",
		Doc:  "bounded MPMC queue of ints",
		Cases: []*Case{
			{
				Name: "QueuePushPop", Op: "one push and one pop",
				Bench: "QueuePushPop", ParBench: "QueuePushPopParallel",
				Impls: []Impl{
					{Name: "impl=lockfree", Single: pairQueue, Parallel: pairQueuePar},
					{Name: "peer=chan", Single: pairChan, Parallel: pairChanPar},
					{Name: "peer=xsync", Single: pairXsync, Parallel: pairXsyncPar},
					{Name: "peer=mutex", Single: pairMutex, Parallel: pairMutexPar},
				},
			},
			prodConsCase("Queue1P1C", 1, 1),
			prodConsCase("Queue2P2C", 2, 2),
		},
	}
}

// Push-pop pairs.

func pairQueue(b *testing.B) {
	b.ReportAllocs()
	q, err := lockfree.NewQueue[int](queueCap)
	if err != nil {
		b.Fatal(err)
	}
	var sum int64
	for b.Loop() {
		q.Push(1)
		v, _ := q.Pop()
		sum += int64(v)
	}
	checkCount(b, sum)
}

func pairQueuePar(b *testing.B) {
	b.ReportAllocs()
	q, err := lockfree.NewQueue[int](queueCap)
	if err != nil {
		b.Fatal(err)
	}
	b.RunParallel(func(pb *testing.PB) {
		var sum int64
		for pb.Next() {
			for !q.Push(1) {
				runtime.Gosched()
			}
			for {
				// Another goroutine may take this value, but then its own
				// is there; Pop fails only while a push is half-done.
				if v, ok := q.Pop(); ok {
					sum += int64(v)
					break
				}
				runtime.Gosched()
			}
		}
		keep(sum)
	})
}

func pairChan(b *testing.B) {
	b.ReportAllocs()
	ch := make(chan int, queueCap)
	var sum int64
	for b.Loop() {
		ch <- 1
		sum += int64(<-ch)
	}
	checkCount(b, sum)
}

func pairChanPar(b *testing.B) {
	b.ReportAllocs()
	ch := make(chan int, queueCap)
	b.RunParallel(func(pb *testing.PB) {
		var sum int64
		for pb.Next() {
			ch <- 1
			sum += int64(<-ch)
		}
		keep(sum)
	})
}

func pairXsync(b *testing.B) {
	b.ReportAllocs()
	q := xsync.NewMPMCQueue[int](queueCap)
	var sum int64
	for b.Loop() {
		q.TryEnqueue(1)
		v, _ := q.TryDequeue()
		sum += int64(v)
	}
	checkCount(b, sum)
}

func pairXsyncPar(b *testing.B) {
	b.ReportAllocs()
	q := xsync.NewMPMCQueue[int](queueCap)
	b.RunParallel(func(pb *testing.PB) {
		var sum int64
		for pb.Next() {
			for !q.TryEnqueue(1) {
				runtime.Gosched()
			}
			for {
				if v, ok := q.TryDequeue(); ok {
					sum += int64(v)
					break
				}
				runtime.Gosched()
			}
		}
		keep(sum)
	})
}

func pairMutex(b *testing.B) {
	b.ReportAllocs()
	r := newMutexRing(queueCap)
	var sum int64
	for b.Loop() {
		r.push(1)
		v, _ := r.pop()
		sum += int64(v)
	}
	checkCount(b, sum)
}

func pairMutexPar(b *testing.B) {
	b.ReportAllocs()
	r := newMutexRing(queueCap)
	b.RunParallel(func(pb *testing.PB) {
		var sum int64
		for pb.Next() {
			r.push(1)
			v, _ := r.pop() // never empty: this goroutine's value, or another's
			sum += int64(v)
		}
		keep(sum)
	})
}

// mutexRing is a bounded FIFO ring of ints under a sync.Mutex. The
// lockfree package's benchmarks have their own (lockfree/bench_test.go): a
// test file this module cannot import.
type mutexRing struct {
	mu         sync.Mutex
	buf        []int
	head, size int
}

func newMutexRing(n int) *mutexRing { return &mutexRing{buf: make([]int, n)} }

func (r *mutexRing) push(v int) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.size == len(r.buf) {
		return false
	}
	r.buf[(r.head+r.size)%len(r.buf)] = v
	r.size++
	return true
}

func (r *mutexRing) pop() (int, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.size == 0 {
		return 0, false
	}
	v := r.buf[r.head]
	r.head = (r.head + 1) % len(r.buf)
	r.size--
	return v, true
}

// Producers and consumers.

func prodConsCase(name string, producers, consumers int) *Case {
	pc := func(push func(int) bool, pop func() (int, bool), blocking bool) func(*testing.B) {
		return func(b *testing.B) { runProdCons(b, producers, consumers, push, pop, blocking) }
	}
	return &Case{
		Name: name, Op: "one value moved from a producer to a consumer",
		ParBench: name, Fixed: true,
		ParDoc: plural(producers, "producer") + ", " + plural(consumers, "consumer"),
		Impls: []Impl{
			{Name: "impl=lockfree", Parallel: func(b *testing.B) {
				q, err := lockfree.NewQueue[int](queueCap)
				if err != nil {
					b.Fatal(err)
				}
				pc(q.Push, q.Pop, false)(b)
			}},
			{Name: "peer=chan", Parallel: func(b *testing.B) {
				ch := make(chan int, queueCap)
				pc(func(v int) bool { ch <- v; return true }, func() (int, bool) { return <-ch, true }, true)(b)
			}},
			{Name: "peer=xsync", Parallel: func(b *testing.B) {
				q := xsync.NewMPMCQueue[int](queueCap)
				pc(q.TryEnqueue, q.TryDequeue, false)(b)
			}},
			{Name: "peer=mutex", Parallel: func(b *testing.B) {
				r := newMutexRing(queueCap)
				pc(r.push, r.pop, false)(b)
			}},
		},
	}
}

// runProdCons moves b.N values, 1, 2, ... from each producer, through push
// and pop, and checks that the consumers received them all. Unless the
// implementation blocks, a failed push or pop is retried after
// runtime.Gosched.
func runProdCons(b *testing.B, producers, consumers int, push func(int) bool, pop func() (int, bool), blocking bool) {
	b.ReportAllocs()
	share := func(total, parts, i int) int {
		n := total / parts
		if i == 0 {
			n += total % parts
		}
		return n
	}
	var want int64
	for p := range producers {
		n := int64(share(b.N, producers, p))
		want += n * (n + 1) / 2
	}
	sums := make([]int64, consumers)
	b.ResetTimer()
	var wg sync.WaitGroup
	for p := range producers {
		n := share(b.N, producers, p)
		wg.Go(func() {
			for v := 1; v <= n; v++ {
				for !push(v) {
					runtime.Gosched()
				}
			}
		})
	}
	for c := range consumers {
		n := share(b.N, consumers, c)
		wg.Go(func() {
			var sum int64
			for range n {
				for {
					v, ok := pop()
					if ok {
						sum += int64(v)
						break
					}
					if !blocking {
						runtime.Gosched()
					}
				}
			}
			sums[c] = sum
		})
	}
	wg.Wait()
	b.StopTimer()
	var got int64
	for _, s := range sums {
		got += s
	}
	if got != want {
		b.Errorf("consumers received values summing to %d, want %d", got, want)
	}
	keep(got)
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return strconv.Itoa(n) + " " + what + "s"
}
