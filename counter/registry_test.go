package counter_test

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/gorseq/rseq/counter"
)

func newArray(t testing.TB, n int) *counter.Array {
	t.Helper()
	a, err := counter.NewArray(n)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestWritePrometheus(t *testing.T) {
	r := counter.NewRegistry()
	c := counter.New()
	c.Add(42)
	c2 := counter.New()
	c2.Add(-3)
	f := counter.NewFloat()
	f.Add(2.5)
	a := newArray(t, 3)
	a.Add(0, 1)
	a.Add(2, 7)
	h := newHist(t, 0.5, 1)
	for _, v := range []float64{0.25, 0.5, 0.75, 3} {
		h.Observe(v)
	}
	h.Observe(nan())
	must := func(name, help string, m counter.Metric) {
		t.Helper()
		if err := r.Register(name, help, m); err != nil {
			t.Fatal(err)
		}
	}
	must(`http_requests_total{method="GET",code="200"}`, "Requests.\nBy code.", c)
	must(`http_requests_total{code="500",method="GET"}`, "Requests.\nBy code.", c2)
	must(`busy_seconds_total`, `Time busy, a \ included.`, f)
	must(`shard_ops_total{zone="a\"b",shard="",a="x"}`, "", a)
	must(`rpc_latency_seconds{svc="db"}`, "RPC latency.", h)
	var buf bytes.Buffer
	if err := r.WritePrometheus(&buf); err != nil {
		t.Fatal(err)
	}
	want := `# HELP busy_seconds_total Time busy, a \\ included.
# TYPE busy_seconds_total counter
busy_seconds_total 2.5
# HELP http_requests_total Requests.\nBy code.
# TYPE http_requests_total counter
http_requests_total{code="200",method="GET"} 42
http_requests_total{code="500",method="GET"} -3
# HELP rpc_latency_seconds RPC latency.
# TYPE rpc_latency_seconds histogram
rpc_latency_seconds_bucket{svc="db",le="0.5"} 2
rpc_latency_seconds_bucket{svc="db",le="1"} 3
rpc_latency_seconds_bucket{svc="db",le="+Inf"} 4
rpc_latency_seconds_sum{svc="db"} 4.5
rpc_latency_seconds_count{svc="db"} 4
# TYPE shard_ops_total counter
shard_ops_total{a="x",shard="0",zone="a\"b"} 1
shard_ops_total{a="x",shard="1",zone="a\"b"} 0
shard_ops_total{a="x",shard="2",zone="a\"b"} 7
`
	if got := buf.String(); got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
	// Unregister, labels in another order; the family goes with its last
	// series.
	if !r.Unregister(`http_requests_total{code="200",method="GET"}`) || r.Unregister(`http_requests_total{code="200",method="GET"}`) {
		t.Error("Unregister: first call false or second true")
	}
	if !r.Unregister(`shard_ops_total{a="x",shard="",zone="a\"b"}`) || !r.Unregister("busy_seconds_total") || r.Unregister("nope{") {
		t.Error("Unregister of the array, the float, or a bad name")
	}
	buf.Reset()
	r.WritePrometheus(&buf)
	if got := buf.String(); strings.Contains(got, "shard_ops") || strings.Contains(got, "busy_") || !strings.Contains(got, `code="500"`) || strings.Contains(got, `code="200"`) {
		t.Errorf("after Unregister:\n%s", got)
	}
}

func TestRegisterErrors(t *testing.T) {
	r := counter.NewRegistry()
	c, a, h := counter.New(), newArray(t, 4), newHist(t, 1)
	ok := func(name string, m counter.Metric) {
		t.Helper()
		if err := r.Register(name, "help", m); err != nil {
			t.Fatalf("Register(%q): %v", name, err)
		}
	}
	ok(`x_total{a="1"}`, c)
	ok(`arr{i=""}`, a)
	ok(`lat`, h)
	ok(`y{k="v"}`, c)
	var nilCounter *counter.Counter
	for _, tc := range []struct {
		name string
		m    counter.Metric
		help string
		want string
	}{
		{"", c, "help", `bad metric name ""`},
		{"9lives", c, "help", `bad metric name "9lives"`},
		{"a-b", c, "help", `bad metric name "a-b"`},
		{`m{`, c, "help", "missing closing '}'"},
		{`m{a="1"`, c, "help", "missing closing '}'"},
		{`m{a="1"}x`, c, "help", `unexpected "x" after the labels`},
		{`m{a}`, c, "help", `label "a}" has no '='`},
		{`m{1a="x"}`, c, "help", `bad label name "1a"`},
		{`m{a-b="x"}`, c, "help", `bad label name "a-b"`},
		{`m{__name__="x"}`, c, "help", `label name "__name__" is reserved`},
		{`m{a=x}`, c, "help", `label "a": value must be in double quotes`},
		{`m{a="x\t"}`, c, "help", `bad escape \t`},
		{`m{a="x}`, c, "help", "unterminated value"},
		{`m{a="1",a="2"}`, c, "help", `label "a" appears twice`},
		{`m{a="1" b="2"}`, c, "help", `want ',' or '}' after label "a"`},
		{`m{a=""}`, c, "help", `label "a" has an empty value`},
		{`m`, a, "help", "an *Array needs an index label"},
		{`m{a="1"}`, a, "help", "an *Array needs an index label"},
		{`m{i="",j=""}`, a, "help", `labels "i" and "j" both have an empty value`},
		{`h{le="1"}`, h, "help", `label "le" is reserved`},
		{`x_total{a="1"}`, c, "help", "already registered"},
		{`x_total{a="1"}`, counter.New(), "help", "already registered"},
		{`x_total{a="2"}`, c, "other help", `has help "help", not "other help"`},
		{`x_total{a="2"}`, h, "help", "family x_total holds counters; a histogram cannot join it"},
		{`arr{i="2"}`, c, "help", `its series overlap those of "arr{i=\"\"}"`},
		{`arr{j=""}`, newArray(t, 2), "help", ""}, // another label name: fine
		{`arr{i=""}`, newArray(t, 2), "help", "already registered"},
		{`lat_bucket`, c, "help", "collides with the _bucket series of histogram lat"},
		{`lat_count{a="1"}`, c, "help", "collides with the _count series of histogram lat"},
		{`y`, h, "help", "family y holds counters"},
		{`w`, h, "help", ""}, // one histogram under two names
		{`x`, counter.NewFloat(), "help", ""},
		{`w_sum`, c, "help", "collides with the _sum series of histogram w"},
		{`x_total_bucket`, c, "help", ""}, // x_total is a counter: no collision
		{`z`, nil, "help", "nil metric"},
		{`z`, nilCounter, "help", "nil or zero *Counter"},
		{`z`, new(counter.Counter), "help", "nil or zero *Counter"},
		{`z`, new(counter.Histogram), "help", "nil or zero *Histogram"},
	} {
		err := r.Register(tc.name, tc.help, tc.m)
		if tc.want == "" {
			if err != nil {
				t.Errorf("Register(%q): %v", tc.name, err)
			}
			continue
		}
		if err == nil || !errors.Is(err, counter.ErrRegister) || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), fmt.Sprintf("%q", tc.name)) {
			t.Errorf("Register(%q): %v; want an ErrRegister error naming the name and containing %q", tc.name, err, tc.want)
		}
	}
	// A histogram whose series would collide with an existing family.
	ok(`q_count`, counter.New())
	if err := r.Register("q", "help", newHist(t, 1)); err == nil || !strings.Contains(err.Error(), "q_count would collide with family q_count") {
		t.Errorf("histogram over q_count: %v", err)
	}
}

// TestRegistryConcurrent registers, unregisters and scrapes at once (for
// the race detector), and checks each scrape parses line by line.
func TestRegistryConcurrent(t *testing.T) {
	r := counter.NewRegistry()
	h := newHist(t, 1, 2)
	var wg sync.WaitGroup
	for w := range 3 {
		wg.Go(func() {
			for i := range 200 {
				name := fmt.Sprintf(`m%d{i="%d"}`, w, i%7)
				var m counter.Metric = counter.New()
				if w == 2 {
					m = h
				}
				if err := r.Register(name, "help", m); err != nil && !strings.Contains(err.Error(), "already registered") {
					t.Error(err)
				}
				h.Observe(float64(i % 3))
				if i%3 == 0 {
					r.Unregister(name)
				}
			}
		})
	}
	wg.Go(func() {
		for range 100 {
			var buf bytes.Buffer
			if err := r.WritePrometheus(&buf); err != nil {
				t.Error(err)
			}
			for line := range strings.Lines(buf.String()) {
				if !strings.HasPrefix(line, "# ") && len(strings.Fields(line)) != 2 {
					t.Errorf("bad line %q", line)
				}
			}
		}
	})
	wg.Wait()
}
