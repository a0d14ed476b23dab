package main

import (
	"flag"
	"fmt"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorseq/rseq/benchmarks"
)

// A sample is one run of one implementation in one column.
type sample struct {
	NsPerOp     float64 `json:"ns"`
	AllocsPerOp float64 `json:"allocs"`
	BytesPerOp  float64 `json:"bytes"`
	N           int     `json:"n"`
	Err         string  `json:"err,omitempty"`
}

// measure runs f once with testing.Benchmark for about benchtime, with
// GOMAXPROCS set to procs, and restores GOMAXPROCS.
func measure(f func(*testing.B), procs int, benchtime time.Duration) sample {
	if err := flag.Set("test.benchtime", benchtime.String()); err != nil {
		return sample{Err: "setting test.benchtime: " + err.Error()}
	}
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
	// testing.Benchmark keeps what the benchmark logs to itself and
	// returns a result even when a later run of the ramp failed: watch
	// Failed from inside.
	var failed atomic.Bool
	r := testing.Benchmark(func(b *testing.B) {
		defer func() {
			if b.Failed() {
				failed.Store(true)
			}
		}()
		f(b)
	})
	if failed.Load() || r.N == 0 {
		return sample{Err: "the benchmark failed its own check or was skipped; run its go test -bench form to see the message"}
	}
	n := float64(r.N)
	return sample{
		NsPerOp:     float64(r.T.Nanoseconds()) / n,
		AllocsPerOp: float64(r.MemAllocs) / n,
		BytesPerOp:  float64(r.MemBytes) / n,
		N:           r.N,
	}
}

// request is what the parent asks the fallback child to measure.
type request struct {
	Structure string        `json:"structure"`
	Case      string        `json:"case"`
	Impl      string        `json:"impl"`
	Parallel  bool          `json:"parallel"`
	Procs     int           `json:"procs"`
	Benchtime time.Duration `json:"benchtime"`
}

// run measures the request in this process.
func (q request) run() sample {
	c := benchmarks.Find(q.Structure, q.Case)
	if c == nil {
		return sample{Err: fmt.Sprintf("no case %s/%s", q.Structure, q.Case)}
	}
	impl, ok := c.FindImpl(q.Impl)
	if !ok {
		return sample{Err: fmt.Sprintf("no implementation %s of %s/%s", q.Impl, q.Structure, q.Case)}
	}
	f := impl.Single
	if q.Parallel {
		f = impl.Parallel
	}
	if f == nil {
		return sample{Err: fmt.Sprintf("%s of %s/%s has no such form", q.Impl, q.Structure, q.Case)}
	}
	return measure(f, q.Procs, q.Benchtime)
}
