package list_test

import (
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorseq/rseq/internal/cs"
)

// scale picks a test size: full, under -race, or under -short (and a
// twentieth of that with the rseqdelay build's slow sections).
func scale(full, race, short int) int {
	switch {
	case delayBuild:
		return max(short/20, 1)
	case testing.Short():
		return short
	case cs.RaceEnabled:
		return race
	}
	return full
}

// workers is the kernel selftest's thread count: 6 per CPU.
func workers() int { return 6 * runtime.NumCPU() }

// An injector disturbs the goroutines under test, as the kernel selftest's
// options do: bursts of SIGURG to every thread (each interrupts whatever
// critical section runs there, which the kernel then restarts), and thread
// churn: goroutines that lock a fresh thread, run work on it (its first
// critical sections) and exit locked, so that the thread dies.
type injector struct {
	stop    chan struct{}
	wg      sync.WaitGroup
	signals atomic.Int64
	threads atomic.Int64
}

func startInjector(work func()) *injector {
	in := &injector{stop: make(chan struct{})}
	every := func(d time.Duration, f func()) {
		in.wg.Go(func() {
			tick := time.NewTicker(d)
			defer tick.Stop()
			for {
				select {
				case <-in.stop:
					return
				case <-tick.C:
					f()
				}
			}
		})
	}
	every(100*time.Microsecond, func() { in.signals.Add(int64(signalThreads())) })
	every(500*time.Microsecond, func() {
		done := make(chan struct{})
		go func() {
			runtime.LockOSThread() // never unlocked: the thread exits with the goroutine
			if work != nil {
				work()
			}
			close(done)
		}()
		<-done
		in.threads.Add(1)
	})
	return in
}

// halt stops the injector and logs what it did.
func (in *injector) halt(t *testing.T) {
	close(in.stop)
	in.wg.Wait()
	st := cs.ReadStats()
	t.Logf("injected: %d signals, %d threads churned; cs: %d aborts, %d fences, %d no-rseq threads",
		in.signals.Load(), in.threads.Load(), st.Aborts, st.Fences, st.NoRSEQ)
}

// disturb is called by stress loops on every operation: it yields every
// 61st operation and sleeps a little every 1009th, shifting the goroutines'
// interleavings as the selftest's -y and -s options do.
func disturb(i int) {
	switch {
	case i%1009 == 1008:
		time.Sleep(time.Duration(i%7) * time.Microsecond)
	case i%61 == 60:
		runtime.Gosched()
	}
}
