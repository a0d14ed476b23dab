package probe_test

import (
	"sync/atomic"
	"testing"

	"github.com/gorseq/rseq/internal/probe"
)

// TestSlot: every value maps into [0, n), and values spread over every slot.
func TestSlot(t *testing.T) {
	for _, n := range []int{1, 2, 3, 8, 1000} {
		hit := make([]int, n)
		p := probe.For()
		v := uint32(12345)
		for range 100 * n {
			s := p.Slot(v, n)
			if s < 0 || s >= n {
				t.Fatalf("Slot(%d, %d) = %d", v, n, s)
			}
			hit[s]++
			p.Advance(v)
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

// TestForStable: one goroutine gets the same probe on every call.
func TestForStable(t *testing.T) {
	p := probe.For()
	for range 10 {
		if probe.For() != p {
			t.Fatal("For changed between two calls of one goroutine")
		}
	}
}

// TestForSpreadsLiveGoroutines: goroutines alive at the same time, on
// stacks as small as the runtime makes them (2 KiB, adjacent), get
// entries of their own, as a random hash would give them: 64 goroutines in
// 256 entries share few. A hash that ignored the low bits of a stack's
// address put four such goroutines on every entry, and two of them,
// moving together, collided on every slot forever.
func TestForSpreadsLiveGoroutines(t *testing.T) {
	const n = 64
	entries := make(chan *atomic.Uint32)
	release := make(chan struct{})
	for range n {
		go func() {
			entries <- probe.Entry(probe.For())
			<-release // stay alive, so that no two share a stack
		}()
	}
	seen := map[*atomic.Uint32]bool{}
	for range n {
		seen[<-entries] = true
	}
	close(release)
	// A random hash gives about 56.7 distinct entries; fewer than 40 is
	// below one chance in a million.
	if len(seen) < 40 {
		t.Errorf("%d live goroutines have %d distinct entries", n, len(seen))
	}
}

// TestSharedEntrySeparates: two goroutines on one entry with different
// salts, both advancing the entry while they collide, reach different
// slots within a few advances, for any pair of salts and any slot count.
func TestSharedEntrySeparates(t *testing.T) {
	base := probe.For()
	rng := uint64(1)
	for range 2000 {
		rng = rng*6364136223846793005 + 1442695040888963407
		sa, sb := uint32(rng>>32), uint32(rng)
		if sa == sb {
			continue
		}
		a, b := probe.WithSalt(base, sa), probe.WithSalt(base, sb)
		for _, n := range []int{2, 3, 8} {
			v := a.Load()
			k := 0
			for ; a.Slot(v, n) == b.Slot(v, n); k++ {
				if k == 64 {
					t.Fatalf("salts %#x and %#x, %d slots: still one slot after %d advances", sa, sb, n, k)
				}
				a.Advance(v)
				v = a.Load()
			}
		}
	}
}
