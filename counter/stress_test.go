package counter_test

import (
	"math/rand/v2"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorseq/rseq/counter"
	"github.com/gorseq/rseq/internal/cs"
)

// scale picks a test size: full, under -race, or under -short.
func scale(full, race, short int) int {
	switch {
	case testing.Short():
		return short
	case raceEnabled:
		return race
	}
	return full
}

// disturb runs, until stop is closed, the disturbances every stress test
// shares: SIGURG bursts (each aborts the critical section of whichever
// thread it lands on) and thread churn (goroutines that lock their thread
// and exit without unlocking it, so that the runtime kills the thread and
// makes new ones, each registering afresh). churn is called on each locked
// thread and returns the sum it added. disturb returns the sum churn added
// in total once stop is closed and its goroutines are done.
func disturb(stop <-chan struct{}, churn func(r *rand.Rand) int64) (wait func() int64) {
	var wg sync.WaitGroup
	wg.Go(func() {
		for {
			select {
			case <-stop:
				return
			default:
			}
			for range 16 {
				signalSelf()
			}
			time.Sleep(50 * time.Microsecond)
		}
	})
	var churned atomic.Int64
	wg.Go(func() {
		for i := uint64(0); ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			done := make(chan struct{})
			go func() {
				defer close(done)
				runtime.LockOSThread() // never unlocked: the thread exits with the goroutine
				churned.Add(churn(rand.New(rand.NewPCG(i, 7))))
			}()
			<-done
		}
	})
	return func() int64 { wg.Wait(); return churned.Load() }
}

// adder does ops adds with add, each of a small delta (some negative, some
// zero), with yields and short sleeps between them, and returns their sum.
func adder(r *rand.Rand, ops int, add func(delta int64)) int64 {
	var sum int64
	for k := range ops {
		d := int64(r.IntN(13)) - 3
		add(d)
		sum += d
		switch {
		case k%4096 == 4095:
			time.Sleep(time.Duration(r.IntN(20)) * time.Microsecond)
		case k%256 == 255:
			runtime.Gosched()
		}
	}
	return sum
}

// TestCounterExact checks that no Add is lost or counted twice: the sum of
// every Add equals the sum of every Reset's result plus the final Load,
// with 6 x CPUs adders at GOMAXPROCS 8, a goroutine resetting in a loop,
// another loading, signal storms and thread churn.
func TestCounterExact(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(8))
	before := cs.ReadStats()
	c := counter.New()
	ops := scale(3_000_000, 1_000_000, 50_000)
	workers := 6 * runtime.NumCPU()

	stop := make(chan struct{})
	wait := disturb(stop, func(r *rand.Rand) int64 { return adder(r, 500, c.Add) })
	var (
		resets  int64
		nresets int
		side    sync.WaitGroup
	)
	side.Go(func() {
		for {
			select {
			case <-stop:
				return
			default:
			}
			resets += c.Reset()
			nresets++
			time.Sleep(time.Duration(nresets%50) * time.Microsecond)
		}
	})
	side.Go(func() {
		for {
			select {
			case <-stop:
				return
			default:
			}
			c.Load()
			runtime.Gosched()
		}
	})

	var added atomic.Int64
	var wg sync.WaitGroup
	for g := range workers {
		wg.Go(func() {
			r := rand.New(rand.NewPCG(uint64(g), 1))
			if g%3 == 0 {
				added.Add(adder(r, ops, func(d int64) { c.Add(d) }))
			} else {
				added.Add(adder(r, ops, func(d int64) {
					if d == 1 {
						c.Inc()
					} else {
						c.Add(d)
					}
				}))
			}
		})
	}
	wg.Wait()
	close(stop)
	churned := wait()
	side.Wait()

	want := added.Load() + churned
	if got := resets + c.Load(); got != want {
		t.Errorf("resets %d + final Load %d = %d, want the sum of all Adds %d (off by %d)",
			resets, c.Load(), got, want, got-want)
	}
	logStats(t, before, nresets)
}

// TestArrayExact is TestCounterExact for an Array: adders and a resetter
// work on random elements, and every element must balance on its own.
func TestArrayExact(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(8))
	before := cs.ReadStats()
	const n = 5
	a, err := counter.NewArray(n)
	if err != nil {
		t.Fatal(err)
	}
	ops := scale(1_500_000, 500_000, 25_000)
	workers := 6 * runtime.NumCPU()

	var added [n]atomic.Int64
	addTo := func(r *rand.Rand, ops int) {
		var local [n]int64
		for k := range ops {
			i := r.IntN(n)
			d := int64(r.IntN(9)) - 2
			a.Add(i, d)
			local[i] += d
			if k%256 == 255 {
				runtime.Gosched()
			}
		}
		for i := range local {
			added[i].Add(local[i])
		}
	}
	stop := make(chan struct{})
	wait := disturb(stop, func(r *rand.Rand) int64 { addTo(r, 500); return 0 })
	var (
		resets  [n]int64
		nresets int
		side    sync.WaitGroup
	)
	side.Go(func() {
		r := rand.New(rand.NewPCG(99, 2))
		for {
			select {
			case <-stop:
				return
			default:
			}
			i := r.IntN(n)
			resets[i] += a.Reset(i)
			nresets++
			a.Load(r.IntN(n))
			time.Sleep(time.Duration(nresets%50) * time.Microsecond)
		}
	})
	var wg sync.WaitGroup
	for g := range workers {
		wg.Go(func() { addTo(rand.New(rand.NewPCG(uint64(g), 3)), ops) })
	}
	wg.Wait()
	close(stop)
	wait()
	side.Wait()

	for i := range n {
		if got, want := resets[i]+a.Load(i), added[i].Load(); got != want {
			t.Errorf("element %d: resets %d + final Load %d = %d, want the sum of its Adds %d (off by %d)",
				i, resets[i], a.Load(i), got, want, got-want)
		}
	}
	logStats(t, before, nresets)
}

func logStats(t *testing.T, before cs.Stats, nresets int) {
	t.Helper()
	s := cs.ReadStats()
	t.Logf("rseq backend %v, %d slots; %d resets; aborts %d, fences %d, threads registered %d, without rseq %d",
		cs.Enabled(), cs.Slots(), nresets, s.Aborts-before.Aborts, s.Fences-before.Fences,
		s.Registered-before.Registered, s.NoRSEQ-before.NoRSEQ)
}
