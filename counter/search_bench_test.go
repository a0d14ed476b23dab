package counter_test

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/gorseq/rseq/counter"
)

// BenchmarkObserveSearch compares Observe with the two bucket searches
// for 10 to 60 bounds: every bound compared, two per SSE instruction, in
// cs.AddPairAt (search=linear), and the branch-free binary search in Go
// before a pair add (search=binary). The values spread over every bucket,
// so that a search whose branches depend on the value would mispredict as
// on real latencies. Observe uses the linear search up to MaxLinear bounds.
func BenchmarkObserveSearch(b *testing.B) {
	for _, n := range []int{10, 20, 30, 45, 60, 100, 150, 250} {
		vals := make([]float64, 4096)
		r := rand.New(rand.NewPCG(1, 2))
		for i := range vals {
			vals[i] = r.Float64() * float64(n+1)
		}
		for _, search := range []string{"linear", "binary"} {
			b.Run(fmt.Sprintf("n=%d/search=%s", n, search), func(b *testing.B) {
				h, err := counter.NewHistogram(counter.LinearBounds(1, 1, n))
				if err != nil {
					b.Fatal(err)
				}
				if search == "binary" {
					h.ForceBinarySearch()
				}
				defer cpuMetric(b)()
				i := 0
				for b.Loop() {
					h.Observe(vals[i&4095])
					i++
				}
				if got := h.Snapshot().Count; got != uint64(b.N) {
					b.Fatalf("%d observations counted after %d", got, b.N)
				}
			})
		}
	}
}

func TestBucketSearches(t *testing.T) {
	for _, n := range []int{1, 2, 3, 7, 8, 10, 31, 32, 60, counter.MaxBuckets} {
		bounds := counter.LinearBounds(0, 1, n)
		h, err := counter.NewHistogram(bounds)
		if err != nil {
			t.Fatal(err)
		}
		for v := -1.0; v <= float64(n)+1; v += 0.25 {
			want := 0
			for want < n && bounds[want] < v {
				want++
			}
			if a, b, c := h.Bucket(v), h.BucketLinear(v), h.BucketScan(v); a != want || b != want || c != want {
				t.Fatalf("n %d, v %v: binary %d, linear %d, scan %d, want %d", n, v, a, b, c, want)
			}
		}
	}
}

// TestObserveSearches: Observe puts every value in the same bucket with
// either search, around every bound.
func TestObserveSearches(t *testing.T) {
	for _, n := range []int{1, 2, 3, 10, 33, counter.MaxLinear, counter.MaxLinear + 1, 200} {
		bounds := counter.LinearBounds(0, 1, n)
		lin, bin := newHist(t, bounds...), newHist(t, bounds...)
		bin.ForceBinarySearch()
		for v := -1.0; v <= float64(n)+1; v += 0.5 {
			lin.Observe(v)
			bin.Observe(v)
		}
		a, b := lin.Snapshot(), bin.Snapshot()
		if !slices.Equal(a.Counts, b.Counts) || a.Sum != b.Sum {
			t.Errorf("n %d: linear %v %v, binary %v %v", n, a.Counts, a.Sum, b.Counts, b.Sum)
		}
		for i, c := range a.Counts {
			// Bounds 0..n-1: -1, -0.5 and 0 in bucket 0, then 2 per
			// bucket, and n-0.5 to n+1 in +Inf.
			want := uint64(2)
			switch i {
			case 0:
				want = 3
			case n:
				want = 4
			}
			if c != want {
				t.Errorf("n %d bucket %d: %d, want %d", n, i, c, want)
			}
		}
	}
}
