package counter_test

import (
	"encoding/json"
	"expvar"
	"fmt"
	"math"
	"slices"
	"sync/atomic"
	"testing"

	"github.com/gorseq/rseq/counter"
)

// Every metric is an expvar.Var whose String is JSON.
var (
	_ expvar.Var = (*counter.Counter)(nil)
	_ expvar.Var = (*counter.Float)(nil)
	_ expvar.Var = (*counter.Array)(nil)
	_ expvar.Var = (*counter.Histogram)(nil)
)

func TestExpvarJSON(t *testing.T) {
	c := counter.New()
	c.Add(-12)
	f := counter.NewFloat()
	f.Add(0.125)
	a := newArray(t, 3)
	a.Add(1, 5)
	h := newHist(t, 0.5, 1e21)
	h.Observe(0.25)
	h.Observe(2)
	h.Observe(nan())

	var ci int64
	var fv float64
	var av []int64
	var hv struct {
		Bounds []float64
		Counts []uint64
		Count  uint64
		Sum    float64
		NaN    uint64
	}
	for _, d := range []struct {
		v  expvar.Var
		to any
	}{{c, &ci}, {f, &fv}, {a, &av}, {h, &hv}} {
		if err := json.Unmarshal([]byte(d.v.String()), d.to); err != nil {
			t.Fatalf("%T: String() = %s: %v", d.v, d.v.String(), err)
		}
	}
	if ci != -12 || fv != 0.125 || !slices.Equal(av, []int64{0, 5, 0}) {
		t.Errorf("counter %d, float %v, array %v", ci, fv, av)
	}
	if !slices.Equal(hv.Bounds, []float64{0.5, 1e21}) || !slices.Equal(hv.Counts, []uint64{1, 1, 0}) || hv.Count != 2 || hv.Sum != 2.25 || hv.NaN != 1 {
		t.Errorf("histogram %+v", hv)
	}

	// Non-finite values are strings, so the output stays JSON.
	g := counter.NewFloat()
	g.Add(math.Inf(1))
	var s string
	if err := json.Unmarshal([]byte(g.String()), &s); err != nil || s != "+Inf" {
		t.Errorf("+Inf Float: %s: %v", g.String(), err)
	}
	h.Observe(math.Inf(-1))
	var m map[string]any
	if err := json.Unmarshal([]byte(h.String()), &m); err != nil || m["sum"] != "-Inf" {
		t.Errorf("histogram with -Inf: %s: %v", h.String(), err)
	}
}

var expvarRuns atomic.Int64

func TestExpvarPublish(t *testing.T) {
	c := counter.New()
	c.Add(3)
	// expvar names are process-wide and Publish panics on a second use,
	// so each run (-count) takes its own name.
	name := fmt.Sprintf("counter_test_requests_%d", expvarRuns.Add(1))
	expvar.Publish(name, c)
	if got := expvar.Get(name).String(); got != "3" {
		t.Errorf("published counter: %s", got)
	}
}
