package lockfree_test

import (
	"math/rand/v2"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"testing/quick"
	"time"

	"github.com/gorseq/rseq/internal/torture"
)

// stressProcs is the GOMAXPROCS of concurrent tests: above the CPU count,
// so that the OS also preempts goroutines in the middle of operations.
var stressProcs = max(8, runtime.NumCPU()+2)

// mutexStack is a LIFO stack guarded by a mutex: the reference model of
// the Stack and IndexStack model tests, and the mutex peer of their
// benchmarks.
type mutexStack[T any] struct {
	mu  sync.Mutex
	buf []T
}

func (s *mutexStack[T]) push(v T) {
	s.mu.Lock()
	s.buf = append(s.buf, v)
	s.mu.Unlock()
}

func (s *mutexStack[T]) pop() (T, bool) {
	s.mu.Lock()
	if len(s.buf) == 0 {
		s.mu.Unlock()
		var zero T
		return zero, false
	}
	v := s.buf[len(s.buf)-1]
	s.buf = s.buf[:len(s.buf)-1]
	s.mu.Unlock()
	return v, true
}

// checkModel runs quick.Check on f, a model test.
func checkModel(t *testing.T, f any) {
	t.Helper()
	if err := quick.Check(f, &quick.Config{MaxCount: torture.Scale(1000, 300, 100)}); err != nil {
		t.Error(err)
	}
}

// startHistories prepares a linearizability test: GOMAXPROCS at
// stressProcs and a runner of 3 goroutines for the rest of the test, a
// random source seeded with seed1, seed2, and the budget of histories.
func startHistories(t *testing.T, seed1, seed2 uint64) (*rand.Rand, *historyRunner, *budget) {
	prev := runtime.GOMAXPROCS(stressProcs)
	hr := newHistoryRunner(3)
	t.Cleanup(func() {
		hr.close()
		runtime.GOMAXPROCS(prev)
	})
	return rand.New(rand.NewPCG(seed1, seed2)), hr, newBudget(3000, 600, 300)
}

// A budget bounds a test loop: it runs up to n iterations, but stops after
// the first min of them once d has passed, so that a loaded machine slows
// the test down less.
type budget struct {
	n, min int
	end    time.Time
}

// newBudget returns a budget of torture.Scale(full, race, short) iterations, at
// least a tenth of them, within 2s, or 0.5s under -short.
func newBudget(full, race, short int) *budget {
	n := torture.Scale(full, race, short)
	d := 2 * time.Second
	if testing.Short() {
		d = time.Second / 2
	}
	return &budget{n: n, min: n / 10, end: time.Now().Add(d)}
}

// more reports whether iteration i should run.
func (b *budget) more(i int) bool {
	return i < b.n && (i < b.min || time.Now().Before(b.end))
}

// A historyRunner runs the goroutines that record a concurrent history. It
// keeps them alive across histories, spinning between jobs, so that a new
// history starts on every goroutine within a fraction of a microsecond:
// freshly started goroutines would mostly run one after another.
type historyRunner struct {
	n     int // goroutines in a history, the caller's included
	epoch atomic.Int64
	done  atomic.Int64
	stop  atomic.Bool
	wg    sync.WaitGroup
	job   func(g int) history // set before epoch advances
	out   []history
}

// newHistoryRunner starts a runner for histories of n goroutines. Stop it
// with close.
func newHistoryRunner(n int) *historyRunner {
	r := &historyRunner{n: n, out: make([]history, n)}
	for g := 1; g < n; g++ {
		r.wg.Go(func() {
			for seen := int64(1); ; seen++ {
				for spins := 0; r.epoch.Load() < seen; spins++ {
					if r.stop.Load() {
						return
					}
					if spins > 1000 {
						runtime.Gosched()
					}
				}
				r.out[g] = r.job(g)
				r.done.Add(1)
			}
		})
	}
	return r
}

func (r *historyRunner) close() {
	r.stop.Store(true)
	r.wg.Wait()
}

// record runs job(g) on goroutine g, for every g in [0, n) at once, and
// returns the concatenation of the events they return.
func (r *historyRunner) record(job func(g int) history) history {
	r.job = job
	e := r.epoch.Add(1)
	r.out[0] = job(0)
	for r.done.Load() < e*int64(r.n-1) {
		runtime.Gosched()
	}
	var h history
	for _, p := range r.out {
		h = append(h, p...)
	}
	return h
}

// recordPushPop records a history in which goroutine g performs the
// operations plans[g] lists (true for a push), with short pauses between
// them. Pushed values are distinct and positive.
func (r *historyRunner) recordPushPop(plans [][]bool, push func(int) bool, pop func() (int, bool)) history {
	var rec recorder
	return r.record(func(g int) history {
		var h history
		for k, isPush := range plans[g] {
			spin(k*7 + g)
			e := event{kind: opPop}
			if isPush {
				e.kind, e.val = opPush, g*len(plans[g])+k+1
				e.call = rec.tick()
				e.ok = push(e.val)
			} else {
				e.call = rec.tick()
				e.val, e.ok = pop()
			}
			e.ret = rec.tick()
			h = append(h, e)
		}
		return h
	})
}

// randomPlans returns plans for goroutines goroutines of ops operations
// each, pushes with probability pushP.
func randomPlans(r *rand.Rand, goroutines, ops int, pushP float64) [][]bool {
	plans := make([][]bool, goroutines)
	for g := range plans {
		for range ops {
			plans[g] = append(plans[g], r.Float64() < pushP)
		}
	}
	return plans
}

// conserve runs producers goroutines that each push the values
// p*per .. p*per+per-1 in order, and consumers goroutines that pop until
// every value has been popped, with GOMAXPROCS above the CPU count. It
// fails t unless every value is popped exactly once, and, if fifo is set,
// unless each consumer sees each producer's values in increasing order.
// push may report false (full); both then retry after yielding.
func conserve(t *testing.T, producers, consumers, per int, fifo bool,
	push func(int) bool, pop func() (int, bool)) {
	t.Helper()
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(stressProcs))

	total := producers * per
	seen := make([]atomic.Int32, total)
	var (
		remaining atomic.Int64
		stop      atomic.Bool
		orderErrs atomic.Int64
		prod      sync.WaitGroup
		cons      sync.WaitGroup
	)
	remaining.Store(int64(total))
	for c := range consumers {
		cons.Go(func() {
			last := make([]int, producers)
			for i := range last {
				last[i] = -1
			}
			for remaining.Load() > 0 && !stop.Load() {
				v, ok := pop()
				if !ok {
					runtime.Gosched()
					continue
				}
				remaining.Add(-1)
				if v < 0 || v >= total {
					t.Errorf("consumer %d popped %d, never pushed", c, v)
					continue
				}
				seen[v].Add(1)
				p, k := v/per, v%per
				if fifo && k <= last[p] {
					if orderErrs.Add(1) <= 5 {
						t.Errorf("consumer %d popped %d after %d from producer %d", c, k, last[p], p)
					}
				}
				last[p] = k
			}
		})
	}
	for p := range producers {
		prod.Go(func() {
			for k := range per {
				for !push(p*per + k) {
					if stop.Load() {
						return
					}
					runtime.Gosched()
				}
			}
		})
	}
	// A broken container may lose values, or stay full forever.
	done := make(chan struct{})
	go func() { prod.Wait(); cons.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		stop.Store(true)
		<-done
		t.Errorf("no progress after 20s; %d values never popped", remaining.Load())
	}
	bad := 0
	for v := range seen {
		if n := seen[v].Load(); n != 1 {
			if bad++; bad <= 5 {
				t.Errorf("value %d popped %d times, want 1", v, n)
			}
		}
	}
	if bad > 5 {
		t.Errorf("... %d values popped other than once", bad)
	}
}

var spinSink atomic.Int64

// spin busy-waits for a short, varying time, shifting goroutines against
// each other so that their operations overlap in many ways.
func spin(seed int) {
	n := uint32(seed) * 2654435761 >> 26 // 0..63, scattered
	x := 0
	for i := range int(n) {
		x += i
	}
	spinSink.Store(int64(x))
}
