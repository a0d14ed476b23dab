package benchmarks

import (
	"strings"
	"sync/atomic"
	"testing"

	"github.com/gorseq/rseq"
)

// A Structure is one package of the module with its benchmark cases.
type Structure struct {
	Name   string  // the package: "counter", "lockfree", ...
	Doc    string  // one line: what is compared
	Cases  []*Case // timed cases
	Memory *Memory // bytes per instance; nil where it does not matter
}

// A Case is one operation measured for every implementation.
type Case struct {
	Name string // "Add"; unique within its structure
	Op   string // what one op is, in a few words

	// Bench names the single-goroutine benchmark ("CounterAdd") and
	// ParBench the one that runs Impl.Parallel ("CounterAddParallel"); ""
	// when the case has no such form.
	Bench, ParBench string

	// Fixed is set when Parallel starts a fixed set of goroutines (one
	// producer and one consumer, ...) instead of using b.RunParallel; ParDoc
	// then names them ("1 producer, 1 consumer").
	Fixed  bool
	ParDoc string

	Impls []Impl
}

// An Impl is one implementation of a case.
type Impl struct {
	// Name is "impl=rseq" for the module's structure (see [Impl.Label]),
	// "impl=lockfree" for lockfree's algorithms (which have no backend), or
	// "peer=..." for the implementations compared with.
	Name string

	// Backend is set for the module's per-CPU structure: its row measures
	// the backend this process runs, and cmd/report measures the fallback
	// with the same code in a child process.
	Backend bool

	// Single runs b.N operations on one goroutine; Parallel runs them on
	// b.RunParallel's goroutines (or on a fixed set of goroutines, see
	// Case.Fixed). Either is nil when the case has no such form.
	Single, Parallel func(b *testing.B)

	// Skip says why the implementation cannot run here; "" when it can.
	Skip string
}

// Label is the row name: Name, except that the module's structure is named
// after the backend the process runs ("impl=rseq" or "impl=atomic").
func (i Impl) Label() string {
	if i.Backend {
		return BackendLabel(rseq.Detect().Backend)
	}
	return i.Name
}

// BackendLabel is the row name of the module's structure on backend b.
func BackendLabel(b rseq.Backend) string { return "impl=" + b.String() }

// IsPeer reports whether the implementation is one the module's structures
// are compared with.
func (i Impl) IsPeer() bool { return strings.HasPrefix(i.Name, "peer=") }

// Structures returns the suites, in report order.
func Structures() []*Structure {
	return []*Structure{counterSuite(), histogramSuite(), lockfreeSuite(), ringbufSuite(), listSuite()}
}

// Find returns the case named structure/name, or nil.
func Find(structure, name string) *Case {
	for _, s := range Structures() {
		if s.Name != structure {
			continue
		}
		for _, c := range s.Cases {
			if c.Name == name {
				return c
			}
		}
	}
	return nil
}

// FindImpl returns the implementation of c named name (Impl.Name), or
// false.
func (c *Case) FindImpl(name string) (Impl, bool) {
	for _, i := range c.Impls {
		if i.Name == name {
			return i, true
		}
	}
	return Impl{}, false
}

// sink keeps results alive: each measurement adds what it computed, so the
// compiler cannot drop the work.
var sink atomic.Int64

// keep adds v to the sink.
func keep(v int64) { sink.Add(v) }
