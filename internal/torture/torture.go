// Package torture injects the faults that break critical sections, for the
// stress tests of every structure: signal storms, thread churn, CPU
// migrations, GOMAXPROCS changes and forced garbage collections. Each
// injector runs on its own goroutine until Stop, and counts what it did.
//
// The injectors act on the whole process, so tests that use them must not
// run in parallel with tests that assert on scheduling.
//
// The package also holds what the tests of every package share: their
// sizes (Scale, StressTime, Workers) and the Layout that export_test.go
// files report to layout tests.
package torture

import (
	"fmt"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorseq/rseq/internal/cs"
)

// Faults selects the injectors. The zero value injects nothing.
type Faults struct {
	Signals    bool // SIGURG to every thread of the process, about every Period
	Churn      bool // goroutines that lock a thread, run Work and exit locked, so the thread dies
	Migrate    bool // threads re-pinned to a single allowed CPU and back (Linux)
	GOMAXPROCS bool // GOMAXPROCS cycled between 1 and 2x the CPU count
	GC         bool // runtime.GC() in a loop

	// Period between two injections of each kind; 0 means 200µs.
	Period time.Duration
	// Work runs on each churned thread before it exits; nil means nothing.
	// Summary.Threads counts the runs of Work, each finished: a stress
	// test adds it to its expected total rather than reading a count of
	// its own around Start, which would race with the injector.
	Work func()
}

// All returns every injector switched on.
func All() Faults {
	return Faults{Signals: true, Churn: true, Migrate: true, GOMAXPROCS: true, GC: true}
}

// Summary counts the faults injected.
type Summary struct {
	Signals, Threads, Migrations, GOMAXPROCS, GCs uint64
}

func (s Summary) String() string {
	return fmt.Sprintf("signals=%d threads=%d migrations=%d gomaxprocs=%d gcs=%d",
		s.Signals, s.Threads, s.Migrations, s.GOMAXPROCS, s.GCs)
}

// Injector is a running set of injectors.
type Injector struct {
	stop    chan struct{}
	wg      sync.WaitGroup
	signals atomic.Uint64
	threads atomic.Uint64
	migr    atomic.Uint64
	procs   atomic.Uint64
	gcs     atomic.Uint64
	restore []func()
}

// Start starts the injectors f selects.
func Start(f Faults) *Injector {
	if f.Period <= 0 {
		f.Period = 200 * time.Microsecond
	}
	in := &Injector{stop: make(chan struct{})}
	loop := func(on bool, every time.Duration, step func()) {
		if !on {
			return
		}
		in.wg.Add(1)
		go func() {
			defer in.wg.Done()
			t := time.NewTicker(every)
			defer t.Stop()
			for {
				select {
				case <-in.stop:
					return
				case <-t.C:
					step()
				}
			}
		}()
	}
	loop(f.Signals, f.Period, func() { in.signals.Add(signalThreads()) })
	loop(f.Churn, f.Period, func() {
		done := make(chan struct{})
		go func() {
			runtime.LockOSThread() // never unlocked: the thread exits with the goroutine
			if f.Work != nil {
				f.Work()
			}
			close(done)
		}()
		<-done
		in.threads.Add(1)
	})
	if f.Migrate {
		if r := saveAffinity(); r != nil {
			in.restore = append(in.restore, r)
		}
	}
	loop(f.Migrate, 4*f.Period, func() { in.migr.Add(migrateThreads()) })
	if f.GOMAXPROCS {
		prev := runtime.GOMAXPROCS(0)
		in.restore = append(in.restore, func() { runtime.GOMAXPROCS(prev) })
		n := 0
		loop(true, 10*f.Period, func() {
			n++
			runtime.GOMAXPROCS(1 + n%(2*runtime.NumCPU()))
			in.procs.Add(1)
		})
	}
	loop(f.GC, 20*f.Period, func() { runtime.GC(); in.gcs.Add(1) })
	return in
}

// Stop stops the injectors, undoes their lasting changes (GOMAXPROCS, CPU
// affinity) and returns what they did.
func (in *Injector) Stop() Summary {
	close(in.stop)
	in.wg.Wait()
	for _, r := range in.restore {
		r()
	}
	return in.Summary()
}

// Summary returns what the injectors did so far.
func (in *Injector) Summary() Summary {
	return Summary{
		Signals:    in.signals.Load(),
		Threads:    in.threads.Load(),
		Migrations: in.migr.Load(),
		GOMAXPROCS: in.procs.Load(),
		GCs:        in.gcs.Load(),
	}
}

// Shape describes in one line the machine a test binary runs on and the
// core's decision there: backend (and why not rseq), registration, slot
// index, slots, CPUs, GOMAXPROCS, kernel and architecture. Each package's
// TestMain prints it, so that a log (a VM's, say) shows which shape ran.
func Shape() string {
	d := cs.Describe()
	s := "backend=atomic reason=" + strconv.Quote(d.Reason)
	if d.RSEQ {
		s = "backend=rseq registration=" + d.Registration + " index=" + d.Index
	}
	slots := strconv.Itoa(d.Slots)
	if cs.SlotsForced() {
		slots += "(forced)"
	}
	return fmt.Sprintf("%s slots=%s cpus=%d gomaxprocs=%d kernel=%s arch=%s/%s",
		s, slots, runtime.NumCPU(), runtime.GOMAXPROCS(0), kernelRelease(), runtime.GOOS, runtime.GOARCH)
}

// OnCPU runs f on the calling goroutine with its thread pinned to cpu (see
// Pin), then gives the thread its CPU set back. Where the thread cannot be
// pinned (not Linux, or a CPU it may not use), f runs unpinned and OnCPU
// returns false.
func OnCPU(cpu int, f func()) (pinned bool) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	unpin, err := Pin(cpu)
	if err == nil {
		defer unpin()
	}
	f()
	return err == nil
}
