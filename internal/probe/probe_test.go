package probe_test

import (
	"testing"

	"github.com/gorseq/rseq/internal/probe"
)

// TestSlot: every value maps into [0, n), and values spread over every slot.
func TestSlot(t *testing.T) {
	for _, n := range []int{1, 2, 3, 8, 1000} {
		hit := make([]int, n)
		v := uint32(12345)
		for range 100 * n {
			s := probe.Slot(v, n)
			if s < 0 || s >= n {
				t.Fatalf("Slot(%d, %d) = %d", v, n, s)
			}
			hit[s]++
			p := probe.For()
			p.Store(v)
			probe.Advance(p, v)
			if nv := p.Load(); nv == v || nv == 0 {
				t.Fatalf("Advance from %d gave %d", v, nv)
			} else {
				v = nv
			}
		}
		for s, c := range hit {
			if c == 0 {
				t.Errorf("n=%d: slot %d never chosen in %d advances", n, s, 100*n)
			}
		}
	}
}

// TestForStable: one goroutine gets the same probe on every call; goroutines
// get probes spread over the table.
func TestForStable(t *testing.T) {
	p := probe.For()
	for range 10 {
		if probe.For() != p {
			t.Fatal("For changed between two calls of one goroutine")
		}
	}
	seen := map[any]bool{}
	done := make(chan any)
	for range 64 {
		go func() { done <- probe.For() }()
	}
	for range 64 {
		seen[<-done] = true
	}
	if len(seen) < 8 {
		t.Errorf("64 goroutines share %d probes", len(seen))
	}
}
