package benchmarks_test

import (
	"strings"
	"testing"

	"github.com/gorseq/rseq/benchmarks"
)

// TestRegistry checks the suites' shape: unique names, every
// implementation named impl=... or peer=..., a form for every
// implementation, exactly one row for the module's structure per case.
func TestRegistry(t *testing.T) {
	seen := map[string]bool{}
	for _, s := range benchmarks.Structures() {
		if s.Name == "" || s.Doc == "" || seen[s.Name] {
			t.Errorf("structure %q: empty or repeated", s.Name)
		}
		seen[s.Name] = true
		for _, c := range s.Cases {
			key := s.Name + "/" + c.Name
			if seen[key] || c.Op == "" || (c.Bench == "" && c.ParBench == "") {
				t.Errorf("case %s: repeated, or without Op or benchmark name", key)
			}
			seen[key] = true
			if benchmarks.Find(s.Name, c.Name) == nil {
				t.Errorf("Find(%q, %q) = nil", s.Name, c.Name)
			}
			own, peers := 0, 0
			names := map[string]bool{}
			for _, i := range c.Impls {
				if names[i.Name] {
					t.Errorf("%s: implementation %s twice", key, i.Name)
				}
				names[i.Name] = true
				switch {
				case strings.HasPrefix(i.Name, "impl="):
					own++
				case i.IsPeer():
					peers++
				default:
					t.Errorf("%s: %q is neither impl=... nor peer=...", key, i.Name)
				}
				if (i.Single == nil) != (c.Bench == "") {
					t.Errorf("%s %s: Single %v, Bench %q", key, i.Name, i.Single != nil, c.Bench)
				}
				if (i.Parallel == nil) != (c.ParBench == "") {
					t.Errorf("%s %s: Parallel %v, ParBench %q", key, i.Name, i.Parallel != nil, c.ParBench)
				}
			}
			if own != 1 || peers == 0 {
				t.Errorf("%s: %d module implementations and %d peers, want 1 and some", key, own, peers)
			}
		}
	}
}

// TestMeasureMemory measures a few thousand counters in this process: the
// numbers are rough here (the process is not fresh), but the counts are
// checked and the results must be sane.
func TestMeasureMemory(t *testing.T) {
	for _, s := range benchmarks.Structures() {
		if s.Memory == nil {
			continue
		}
		for _, m := range s.Memory.Impls {
			r, err := benchmarks.MeasureMemory(m, 5000)
			if err != nil {
				t.Errorf("%s %s: %v", s.Name, m.Name, err)
				continue
			}
			if r.N != 5000 || r.Procs < 1 {
				t.Errorf("%s %s: %+v", s.Name, m.Name, r)
			}
			t.Logf("%s %s: %+v", s.Name, m.Name, r)
		}
	}
	if _, err := benchmarks.MeasureMemory(benchmarks.MemImpl{}, 0); err == nil || !strings.Contains(err.Error(), "0") {
		t.Errorf("MeasureMemory(n=0): %v", err)
	}
}
