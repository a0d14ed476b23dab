package torture

import (
	"flag"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorseq/rseq/internal/cs"
)

var soak = flag.Duration("torture.d", 0, "run each stress test for this long under fault injection (soak testing, e.g. -torture.d=10m)")

// Duration returns how long a stress test should hammer: the -torture.d flag
// when it is set, else normal, or short under -short.
func Duration(short, normal time.Duration) time.Duration {
	if *soak > 0 {
		return *soak
	}
	if testing.Short() {
		return short
	}
	return normal
}

// Report is the summary a stress test prints: what ran, what was injected,
// what the core did about it, and the invariant violations (which must be
// zero).
type Report struct {
	Ops        int64
	Faults     Summary
	Aborts     uint64 // critical sections the kernel restarted
	Fences     uint64 // slow-path fences (remote work, threads without rseq, abort bound reached)
	Violations int64
}

func (r Report) String() string {
	return fmt.Sprintf("ops=%d %v aborts=%d fences=%d violations=%d", r.Ops, r.Faults, r.Aborts, r.Fences, r.Violations)
}

// Session runs injectors around a stress test and reports.
type Session struct {
	in     *Injector
	before cs.Stats
}

// Begin starts the injectors f selects and notes the core's counters.
func Begin(f Faults) *Session {
	return &Session{before: cs.ReadStats(), in: Start(f)}
}

// End stops the injectors and returns the report for ops operations and
// the given number of violations.
func (s *Session) End(ops, violations int64) Report {
	faults := s.in.Stop()
	after := cs.ReadStats()
	return Report{
		Ops:        ops,
		Faults:     faults,
		Aborts:     after.Aborts - s.before.Aborts,
		Fences:     after.Fences - s.before.Fences,
		Violations: violations,
	}
}

// Each returns the injector sets a stress test should run under: each
// injector alone, then all of them together. work runs on churned threads.
func Each(work func()) []NamedFaults {
	all := All()
	all.Work = work
	return []NamedFaults{
		{"signals", Faults{Signals: true}},
		{"churn", Faults{Churn: true, Work: work}},
		{"migrate", Faults{Migrate: true}},
		{"gomaxprocs", Faults{GOMAXPROCS: true}},
		{"gc", Faults{GC: true}},
		{"all", all},
	}
}

// NamedFaults is an injector set with a name for subtests.
type NamedFaults struct {
	Name   string
	Faults Faults
}

// Hammer runs op on workers goroutines until d has passed and returns how
// many times op ran. op gets the worker number and its iteration count.
// Every worker runs op at least once, however late it starts (in a slow
// guest the timer can fire before a goroutine first runs), so that no
// stress test passes on no work. The end is a flag set by a timer, so that
// the loop costs one atomic load per operation and stops on time however
// slow each operation is (the rseqdelay and rseqabort builds make sections
// thousands of times slower).
func Hammer(workers int, d time.Duration, op func(w, i int)) int64 {
	var done atomic.Bool
	timer := time.AfterFunc(d, func() { done.Store(true) })
	defer timer.Stop()
	var total atomic.Int64
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			i := 0
			for {
				op(w, i)
				i++
				if done.Load() {
					break
				}
			}
			total.Add(int64(i))
		})
	}
	wg.Wait()
	return total.Load()
}

// Stress runs a stress test under each injector set of Each(work), as one
// subtest per set named after it: each injector alone, then all together.
// For each, it starts the injectors and calls body, which hammers the
// structure (for Duration, with Hammer) and returns how many operations it
// ran and a check. The injectors stop before check runs, so that the work
// they ran on churned threads is complete; check verifies the structure's
// invariants, reporting each broken one with t.Errorf or counting it, and
// returns the number of violations it found, and should leave the
// structure ready for the next subtest. Stress logs the subtest's Report
// and fails the subtest when it counts a violation.
func Stress(t *testing.T, work func(), body func(t *testing.T) (ops int64, check func() (violations int64))) {
	t.Helper()
	for _, nf := range Each(work) {
		t.Run(nf.Name, func(t *testing.T) {
			sess := Begin(nf.Faults)
			var r Report
			ended := false
			end := func(ops, violations int64) {
				if !ended {
					ended = true
					r = sess.End(ops, violations)
				}
			}
			defer end(0, 0) // body failed: stop the injectors all the same
			ops, check := body(t)
			end(ops, 0)
			r.Violations = check()
			t.Logf("report: %v", r)
			if r.Violations != 0 {
				t.Errorf("%d invariant violations", r.Violations)
			}
		})
	}
}
