package torture

import (
	"flag"
	"fmt"
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
