package benchmarks_test

import (
	"bytes"
	"fmt"
	"math"
	"testing"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/gorseq/rseq/benchmarks"
	"github.com/gorseq/rseq/counter"
)

// TestWritePrometheusParses reads counter.Registry's output back with
// Prometheus' own text parser and checks every value: counters, floats,
// arrays (a series per index), histograms (cumulative buckets, sum,
// count) and label escaping.
func TestWritePrometheusParses(t *testing.T) {
	r := counter.NewRegistry()
	c := counter.New()
	c.Add(41)
	f := counter.NewFloat()
	f.Add(0.75)
	f.Add(math.Inf(1))
	a, err := counter.NewArray(4)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 4 {
		a.Add(i, int64(10*i))
	}
	h, err := counter.NewHistogram([]float64{-1, 0.5, 2, 1e6})
	if err != nil {
		t.Fatal(err)
	}
	obs := []float64{-5, -1, 0, 0.5, 0.6, 3, 2e6, math.NaN()}
	for _, v := range obs {
		h.Observe(v)
	}
	for _, reg := range []struct {
		name, help string
		m          counter.Metric
	}{
		{`reqs_total{path="/a\"b\\c\nd",code="200"}`, "Requests, \\ and \n escaped.", c},
		{`busy_seconds_total`, "Busy.", f},
		{`shard_total{shard=""}`, "Per shard.", a},
		{`lat_seconds{svc="x"}`, "Latency.", h},
		{`lat_seconds{svc="y"}`, "Latency.", h},
	} {
		if err := r.Register(reg.name, reg.help, reg.m); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if err := r.WritePrometheus(&buf); err != nil {
		t.Fatal(err)
	}
	p := expfmt.NewTextParser(model.LegacyValidation)
	fams, err := p.TextToMetricFamilies(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatalf("Prometheus' parser rejects the output: %v\n%s", err, buf.String())
	}
	if len(fams) != 4 {
		t.Errorf("%d families, want 4", len(fams))
	}
	labels := func(m *dto.Metric) map[string]string {
		l := map[string]string{}
		for _, lp := range m.GetLabel() {
			l[lp.GetName()] = lp.GetValue()
		}
		return l
	}

	reqs := fams["reqs_total"]
	if reqs.GetType() != dto.MetricType_COUNTER || reqs.GetHelp() != "Requests, \\ and \n escaped." || len(reqs.Metric) != 1 {
		t.Fatalf("reqs_total: %v", reqs)
	}
	if l := labels(reqs.Metric[0]); l["path"] != "/a\"b\\c\nd" || l["code"] != "200" || reqs.Metric[0].GetCounter().GetValue() != 41 {
		t.Errorf("reqs_total: labels %q, value %v", l, reqs.Metric[0].GetCounter().GetValue())
	}
	if v := fams["busy_seconds_total"].Metric[0].GetCounter().GetValue(); !math.IsInf(v, 1) {
		t.Errorf("busy_seconds_total = %v, want +Inf", v)
	}
	shards := fams["shard_total"]
	if len(shards.Metric) != 4 {
		t.Fatalf("shard_total: %d series", len(shards.Metric))
	}
	for _, m := range shards.Metric {
		var i int
		fmt.Sscan(labels(m)["shard"], &i)
		if got := m.GetCounter().GetValue(); got != float64(10*i) {
			t.Errorf("shard_total{shard=%q} = %v, want %d", labels(m)["shard"], got, 10*i)
		}
	}
	lat := fams["lat_seconds"]
	if lat.GetType() != dto.MetricType_HISTOGRAM || len(lat.Metric) != 2 {
		t.Fatalf("lat_seconds: %v", lat)
	}
	wantCum := []uint64{2, 4, 5, 6} // <= -1, 0.5, 2, 1e6; then 7 with +Inf
	for _, m := range lat.Metric {
		hm := m.GetHistogram()
		if hm.GetSampleCount() != 7 || hm.GetSampleSum() != -5-1+0+0.5+0.6+3+2e6 {
			t.Errorf("%v: count %d sum %v", labels(m), hm.GetSampleCount(), hm.GetSampleSum())
		}
		// The parser drops the +Inf bucket into SampleCount.
		if len(hm.Bucket) < 4 {
			t.Fatalf("%v: %d buckets", labels(m), len(hm.Bucket))
		}
		for i, b := range hm.Bucket[:4] {
			if b.GetUpperBound() != []float64{-1, 0.5, 2, 1e6}[i] || b.GetCumulativeCount() != wantCum[i] {
				t.Errorf("%v bucket %d: le %v count %d, want %d", labels(m), i, b.GetUpperBound(), b.GetCumulativeCount(), wantCum[i])
			}
		}
		if len(hm.Bucket) == 5 && (!math.IsInf(hm.Bucket[4].GetUpperBound(), 1) || hm.Bucket[4].GetCumulativeCount() != 7) {
			t.Errorf("+Inf bucket %v", hm.Bucket[4])
		}
	}
}

// TestWriteFixtureParses checks the Write benchmark's scrape: 100
// histograms of 30 bounds, 1000 observations each.
func TestWriteFixtureParses(t *testing.T) {
	var buf bytes.Buffer
	if err := benchmarks.WriteFixture().WritePrometheus(&buf); err != nil {
		t.Fatal(err)
	}
	p := expfmt.NewTextParser(model.LegacyValidation)
	fams, err := p.TextToMetricFamilies(&buf)
	if err != nil {
		t.Fatal(err)
	}
	ms := fams["bench_latency_seconds"].GetMetric()
	if len(ms) != 100 {
		t.Fatalf("%d series, want 100", len(ms))
	}
	for _, m := range ms {
		if h := m.GetHistogram(); h.GetSampleCount() != 1000 || len(h.GetBucket()) < 30 {
			t.Errorf("%v: count %d, %d buckets", m.GetLabel(), h.GetSampleCount(), len(h.GetBucket()))
		}
	}
}
