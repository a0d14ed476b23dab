package benchmarks_test

import (
	"fmt"
	"os"
	"os/exec"
	"slices"
	"testing"

	"github.com/gorseq/rseq/benchmarks"
)

// TestMain lets the test binary serve as a memory child (see
// benchmarks.RunMemoryChild) for the Memory benchmarks.
func TestMain(m *testing.M) {
	if ok, err := benchmarks.RunMemoryChild(); ok {
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// runCase runs every implementation of structure/name as a sub-benchmark:
// the single-goroutine form, or the parallel one (run with -cpu 1,2).
func runCase(b *testing.B, structure, name string, par bool) {
	c := benchmarks.Find(structure, name)
	if c == nil {
		b.Fatalf("no case %s/%s", structure, name)
	}
	for _, impl := range c.Impls {
		f := impl.Single
		if par {
			f = impl.Parallel
		}
		if f == nil {
			continue
		}
		b.Run(impl.Label(), func(b *testing.B) {
			if impl.Skip != "" {
				b.Skip("cannot run here: " + impl.Skip)
			}
			f(b)
		})
	}
}

// memChildN is how many instances a memory child makes.
const memChildN = 300_000

// runMemory measures each implementation of structure's Memory case in
// fresh child processes (this test binary, see TestMain), one per
// iteration, and reports the medians per instance: rss-B (resident set,
// Go heap and off-heap memory together) and heap-B (Go heap only). ns/op
// is the time of one child.
func runMemory(b *testing.B, structure string) {
	var mem *benchmarks.Memory
	for _, s := range benchmarks.Structures() {
		if s.Name == structure {
			mem = s.Memory
		}
	}
	if mem == nil {
		b.Fatalf("no memory case for %s", structure)
	}
	for _, m := range mem.Impls {
		b.Run(m.Label(), func(b *testing.B) {
			if m.Skip != "" {
				b.Skip("cannot run here: " + m.Skip)
			}
			var rss, heap []float64
			for range b.N {
				r, err := benchmarks.MeasureInChild(exec.Command(os.Args[0]), structure, m.Name, memChildN)
				if err != nil {
					b.Fatal(err)
				}
				rss, heap = append(rss, r.RSS), append(heap, r.Heap)
			}
			b.ReportMetric(median(rss), "rss-B/"+mem.Unit)
			b.ReportMetric(median(heap), "heap-B/"+mem.Unit)
		})
	}
}

func median(v []float64) float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	return s[len(s)/2]
}
