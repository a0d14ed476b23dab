package counter_test

import (
	"errors"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gorseq/rseq/counter"
)

func newHist(t testing.TB, bounds ...float64) *counter.Histogram {
	t.Helper()
	h, err := counter.NewHistogram(bounds)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func TestHistogramBuckets(t *testing.T) {
	h := newHist(t, 1, 2, 5)
	for _, v := range []float64{-3, 0, 1, 1.5, 2, 2, 4.99, 5, 5.01, 100, math.Inf(1), math.Inf(-1), math.NaN(), math.NaN()} {
		h.Observe(v)
	}
	h.ObserveDuration(1500 * time.Millisecond)
	s := h.Snapshot()
	want := []uint64{4, 4, 2, 3} // <=1: -3 0 1 -Inf; <=2: 1.5 2 2 1.5s; <=5: 4.99 5; +Inf: 5.01 100 +Inf
	if !slices.Equal(s.Counts, want) || s.Count != 13 || s.NaN != 2 {
		t.Errorf("counts %v count %d nan %d, want %v 13 2", s.Counts, s.Count, s.NaN, want)
	}
	if !math.IsNaN(s.Sum) { // +Inf + -Inf
		t.Errorf("sum %v, want NaN after +Inf and -Inf", s.Sum)
	}
	if !slices.Equal(s.Bounds, []float64{1, 2, 5}) {
		t.Errorf("bounds %v", s.Bounds)
	}
	s.Bounds[0] = 99 // a copy
	if h.Bounds()[0] != 1 {
		t.Error("Snapshot's Bounds aliases the histogram's")
	}
}

func TestHistogramSumAndReset(t *testing.T) {
	h := newHist(t, 10, 20)
	var sum float64
	for i := range 100 {
		h.Observe(float64(i) * 0.25)
		sum += float64(i) * 0.25
	}
	s := h.SnapshotAndReset()
	if s.Count != 100 || s.Sum != sum || s.Counts[0]+s.Counts[1]+s.Counts[2] != 100 {
		t.Errorf("snapshot %+v, want count 100 sum %v", s, sum)
	}
	if s := h.Snapshot(); s.Count != 0 || s.Sum != 0 || s.NaN != 0 || slices.ContainsFunc(s.Counts, func(c uint64) bool { return c != 0 }) {
		t.Errorf("after reset: %+v", s)
	}
	h.Observe(3)
	if s := h.Snapshot(); s.Count != 1 || s.Sum != 3 || s.Counts[0] != 1 {
		t.Errorf("after reset and one Observe: %+v", s)
	}
}

func TestHistogramBadBounds(t *testing.T) {
	inf, nan := math.Inf(1), math.NaN()
	for _, c := range []struct {
		bounds []float64
		want   string
	}{
		{nil, "no bounds"},
		{[]float64{}, "no bounds"},
		{[]float64{1, 3, 2}, "bounds[2] = 2 is less than bounds[1] = 3"},
		{[]float64{1, 2, 2}, "bounds[2] = 2 duplicates bounds[1]"},
		{[]float64{1, nan}, "bounds[1] is NaN"},
		{[]float64{inf}, "bounds[0] is +Inf"},
		{[]float64{-inf, 0}, "bounds[0] is -Inf"},
		{make([]float64, counter.MaxBuckets+1), "1025 bounds, more than MaxBuckets (1024)"},
	} {
		h, err := counter.NewHistogram(c.bounds)
		if err == nil || h != nil || !errors.Is(err, counter.ErrBounds) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("NewHistogram(%v): %v, %v; want an ErrBounds error containing %q", c.bounds, h, err, c.want)
		}
	}
	if _, err := counter.NewHistogram(counter.LinearBounds(0, 1, counter.MaxBuckets)); err != nil {
		t.Errorf("MaxBuckets bounds: %v", err)
	}
}

func TestBoundsHelpers(t *testing.T) {
	if got := counter.ExponentialBounds(1, 2, 4); !slices.Equal(got, []float64{1, 2, 4, 8}) {
		t.Errorf("ExponentialBounds(1, 2, 4) = %v", got)
	}
	if got := counter.LinearBounds(-1, 0.5, 4); !slices.Equal(got, []float64{-1, -0.5, 0, 0.5}) {
		t.Errorf("LinearBounds(-1, 0.5, 4) = %v", got)
	}
	for _, c := range []struct {
		f    func()
		want string
	}{
		{func() { counter.ExponentialBounds(0, 2, 3) }, "start 0"},
		{func() { counter.ExponentialBounds(-1, 2, 3) }, "start -1"},
		{func() { counter.ExponentialBounds(math.NaN(), 2, 3) }, "start NaN"},
		{func() { counter.ExponentialBounds(1, 1, 3) }, "factor 1"},
		{func() { counter.ExponentialBounds(1, math.Inf(1), 3) }, "factor +Inf"},
		{func() { counter.ExponentialBounds(1, 2, 0) }, "n 0"},
		{func() { counter.ExponentialBounds(1, 2, counter.MaxBuckets+1) }, "n 1025"},
		{func() { counter.ExponentialBounds(1e300, 1e10, 10) }, "overflow"},
		{func() { counter.LinearBounds(math.Inf(-1), 1, 3) }, "start -Inf"},
		{func() { counter.LinearBounds(0, 0, 3) }, "width 0"},
		{func() { counter.LinearBounds(0, -1, 3) }, "width -1"},
		{func() { counter.LinearBounds(0, 1, -2) }, "n -2"},
		{func() { counter.LinearBounds(1e17, 1, 3) }, "width too small"},
	} {
		func() {
			defer func() {
				r := recover()
				if s, _ := r.(string); !strings.Contains(s, c.want) {
					t.Errorf("panic %v, want one containing %q", r, c.want)
				}
			}()
			c.f()
		}()
	}
}

func TestQuantile(t *testing.T) {
	snap := func(bounds []float64, counts ...uint64) counter.HistogramSnapshot {
		return counter.HistogramSnapshot{Bounds: bounds, Counts: counts}
	}
	b := []float64{1, 2, 4}
	for _, c := range []struct {
		s    counter.HistogramSnapshot
		q    float64
		want float64
	}{
		{snap(b, 10, 10, 0, 0), 0.5, 1},    // rank 10: the end of bucket 0
		{snap(b, 10, 10, 0, 0), 0.25, 0.5}, // rank 5 of 10 in [0, 1]
		{snap(b, 10, 10, 0, 0), 0.75, 1.5}, // rank 15: half of [1, 2]
		{snap(b, 10, 10, 0, 0), 1, 2},
		{snap(b, 0, 0, 4, 0), 0.5, 3},        // rank 2 of 4 in [2, 4]
		{snap(b, 1, 0, 0, 9), 0.5, 4},        // in +Inf: the last bound
		{snap(b, 1, 0, 0, 9), 1, 4},          //
		{snap(b, 5, 5, 0, 0), 0, 0},          // rank 0 in a non-empty first bucket
		{snap(b, 0, 5, 0, 0), 0, math.NaN()}, // Prometheus: 0/0 in an empty first bucket
		{snap(b, 0, 0, 0, 0), 0.5, math.NaN()},
		{snap([]float64{-1, 1}, 3, 1, 0), 0.5, -1}, // first bound <= 0: returned as is
		{snap([]float64{-1, 1}, 2, 2, 0), 0.75, 0}, // rank 3: half of [-1, 1]
	} {
		got := c.s.Quantile(c.q)
		if got != c.want && !(math.IsNaN(got) && math.IsNaN(c.want)) {
			t.Errorf("%v %v Quantile(%v) = %v, want %v", c.s.Bounds, c.s.Counts, c.q, got, c.want)
		}
	}
	// From a histogram: 1..100 in bounds of 10.
	h := newHist(t, counter.LinearBounds(10, 10, 10)...)
	for i := 1; i <= 100; i++ {
		h.Observe(float64(i))
	}
	if got := h.Snapshot().Quantile(0.9); got != 90 {
		t.Errorf("p90 of 1..100 = %v, want 90", got)
	}
	for _, q := range []float64{-0.1, 1.1, math.NaN(), math.Inf(1)} {
		func() {
			defer func() {
				if s, _ := recover().(string); !strings.Contains(s, "q ") {
					t.Errorf("Quantile(%v): panic %q, want one naming q", q, s)
				}
			}()
			h.Snapshot().Quantile(q)
		}()
	}
}

func TestHistogramZero(t *testing.T) {
	var h counter.Histogram
	for name, f := range map[string]func(){
		"Observe":  func() { h.Observe(1) },
		"Snapshot": func() { h.Snapshot() },
	} {
		func() {
			defer func() {
				if s, _ := recover().(string); !strings.Contains(s, "zero Histogram") {
					t.Errorf("%s on a zero Histogram: panic %q", name, s)
				}
			}()
			f()
		}()
	}
}

func TestObserveAllocs(t *testing.T) {
	h := newHist(t, counter.ExponentialBounds(0.001, 2, 20)...)
	f := counter.NewFloat()
	if n := testing.AllocsPerRun(1000, func() { h.Observe(0.3); h.Observe(math.NaN()); f.Add(1) }); n != 0 {
		t.Errorf("Observe and Float.Add allocate %v times", n)
	}
}
