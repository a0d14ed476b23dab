package benchmarks

import (
	"bytes"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"sync/atomic"
	"testing"

	vm "github.com/VictoriaMetrics/metrics"
	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"

	"github.com/gorseq/rseq/counter"
)

// The histogram suite: Observe on one histogram with Prometheus' default
// bounds (11 of them, 5 ms to 10 s), and a scrape of 100 histograms of 30
// bounds. Observed values come from a fixed table spread log-uniformly
// over 1 ms to 20 s, so every bucket is hit and a bucket search that
// branches on the value mispredicts as it would on real latencies.
//
// After an Observe measurement the histogram must hold exactly b.N
// observations: a lost or doubled one fails the benchmark.

func histogramSuite() *Structure {
	return &Structure{
		Name: "histogram",
		Doc:  "a latency histogram: Observe, and a scrape in Prometheus' text format",
		Cases: []*Case{
			{
				Name: "Observe", Op: "Observe of a latency, 11 bounds (Prometheus' DefBuckets)",
				Bench: "HistogramObserve", ParBench: "HistogramObserveParallel",
				Impls: []Impl{
					{Name: "impl=rseq", Backend: true, Single: observeRseq, Parallel: observeRseqPar},
					{Name: "peer=prometheus", Single: observeProm, Parallel: observePromPar},
					{Name: "peer=vm-prometheus", Single: observeVMProm, Parallel: observeVMPromPar},
					{Name: "peer=vm", Single: observeVM, Parallel: observeVMPar},
					{Name: "peer=atomic-buckets", Single: observeAtomic, Parallel: observeAtomicPar},
				},
			},
			{
				Name: "Write", Op: "scrape of 100 histograms of 30 bounds, text format, to io.Discard",
				Bench: "HistogramWrite",
				Impls: []Impl{
					{Name: "impl=rseq", Backend: true, Single: writeRseq},
					{Name: "peer=prometheus", Single: writeProm},
					{Name: "peer=vm-prometheus", Single: writeVMProm},
				},
			},
		},
	}
}

// latencies is the table of observed values, in seconds.
var latencies = func() []float64 {
	r := rand.New(rand.NewPCG(13, 17))
	v := make([]float64, 1024)
	for i := range v {
		v[i] = 1e-3 * math.Pow(2e4, r.Float64())
	}
	return v
}()

// latency returns the i-th observed value.
func latency(i int) float64 { return latencies[i&(len(latencies)-1)] }

// checkObserved fails b unless the histogram counted b.N observations.
func checkObserved(b *testing.B, got uint64) {
	if got != uint64(b.N) {
		b.Errorf("histogram counted %d observations after %d", got, b.N)
	}
	keep(int64(got))
}

// impl=rseq

func newRseqHist(bounds []float64) *counter.Histogram {
	h, err := counter.NewHistogram(bounds)
	if err != nil {
		panic(err)
	}
	return h
}

func observeRseq(b *testing.B) {
	b.ReportAllocs()
	h := newRseqHist(prometheus.DefBuckets)
	i := 0
	for b.Loop() {
		h.Observe(latency(i))
		i++
	}
	checkObserved(b, h.Snapshot().Count)
}

func observeRseqPar(b *testing.B) {
	b.ReportAllocs()
	h := newRseqHist(prometheus.DefBuckets)
	var seed atomic.Int64
	b.RunParallel(func(pb *testing.PB) {
		i := int(seed.Add(397))
		for pb.Next() {
			h.Observe(latency(i))
			i++
		}
	})
	checkObserved(b, h.Snapshot().Count)
}

// peer=prometheus

func newPromHist(name string, bounds []float64) prometheus.Histogram {
	return prometheus.NewHistogram(prometheus.HistogramOpts{Name: name, Help: "Latency.", Buckets: bounds})
}

func promHistCount(h prometheus.Histogram) uint64 {
	var m dto.Metric
	if err := h.Write(&m); err != nil {
		panic("prometheus Write: " + err.Error())
	}
	return m.GetHistogram().GetSampleCount()
}

func observeProm(b *testing.B) {
	b.ReportAllocs()
	h := newPromHist("bench_seconds", prometheus.DefBuckets)
	i := 0
	for b.Loop() {
		h.Observe(latency(i))
		i++
	}
	checkObserved(b, promHistCount(h))
}

func observePromPar(b *testing.B) {
	b.ReportAllocs()
	h := newPromHist("bench_seconds", prometheus.DefBuckets)
	var seed atomic.Int64
	b.RunParallel(func(pb *testing.PB) {
		i := int(seed.Add(397))
		for pb.Next() {
			h.Observe(latency(i))
			i++
		}
	})
	checkObserved(b, promHistCount(h))
}

// peer=vm-prometheus: VictoriaMetrics' histogram with fixed bounds (a
// mutex per histogram).

// vmCount reads a VictoriaMetrics histogram's count from its exposition.
func vmCount(s *vm.Set, name string) uint64 {
	var buf bytes.Buffer
	s.WritePrometheus(&buf)
	var n uint64
	for line := range bytes.Lines(buf.Bytes()) {
		if rest, ok := bytes.CutPrefix(line, []byte(name+"_count ")); ok {
			fmt.Sscan(string(rest), &n)
		}
	}
	return n
}

func observeVMProm(b *testing.B) {
	b.ReportAllocs()
	s := vm.NewSet()
	h := s.NewPrometheusHistogramExt("bench_seconds", prometheus.DefBuckets)
	i := 0
	for b.Loop() {
		h.Update(latency(i))
		i++
	}
	checkObserved(b, vmCount(s, "bench_seconds"))
}

func observeVMPromPar(b *testing.B) {
	b.ReportAllocs()
	s := vm.NewSet()
	h := s.NewPrometheusHistogramExt("bench_seconds", prometheus.DefBuckets)
	var seed atomic.Int64
	b.RunParallel(func(pb *testing.PB) {
		i := int(seed.Add(397))
		for pb.Next() {
			h.Update(latency(i))
			i++
		}
	})
	checkObserved(b, vmCount(s, "bench_seconds"))
}

// peer=vm: VictoriaMetrics' own histogram (log-scale vmrange buckets, no
// bounds to choose; a mutex per histogram).

func observeVM(b *testing.B) {
	b.ReportAllocs()
	s := vm.NewSet()
	h := s.NewHistogram("bench_seconds")
	i := 0
	for b.Loop() {
		h.Update(latency(i))
		i++
	}
	checkObserved(b, vmCount(s, "bench_seconds"))
}

func observeVMPar(b *testing.B) {
	b.ReportAllocs()
	s := vm.NewSet()
	h := s.NewHistogram("bench_seconds")
	var seed atomic.Int64
	b.RunParallel(func(pb *testing.PB) {
		i := int(seed.Add(397))
		for pb.Next() {
			h.Update(latency(i))
			i++
		}
	})
	checkObserved(b, vmCount(s, "bench_seconds"))
}

// peer=atomic-buckets: the histogram one writes with sync/atomic: an
// atomic.Uint64 per bucket, the sum's bits updated by compare-and-swap, the
// bucket found by a scan (as client_golang does below 35 bounds).

type atomicHist struct {
	bounds  []float64
	buckets []atomic.Uint64 // len(bounds)+1
	sum     atomic.Uint64   // float64 bits
}

func newAtomicHist(bounds []float64) *atomicHist {
	return &atomicHist{bounds: bounds, buckets: make([]atomic.Uint64, len(bounds)+1)}
}

func (h *atomicHist) Observe(v float64) {
	i := 0
	for i < len(h.bounds) && v > h.bounds[i] {
		i++
	}
	h.buckets[i].Add(1)
	for {
		old := h.sum.Load()
		if h.sum.CompareAndSwap(old, math.Float64bits(math.Float64frombits(old)+v)) {
			return
		}
	}
}

func (h *atomicHist) Count() uint64 {
	var n uint64
	for i := range h.buckets {
		n += h.buckets[i].Load()
	}
	return n
}

func observeAtomic(b *testing.B) {
	b.ReportAllocs()
	h := newAtomicHist(prometheus.DefBuckets)
	i := 0
	for b.Loop() {
		h.Observe(latency(i))
		i++
	}
	checkObserved(b, h.Count())
}

func observeAtomicPar(b *testing.B) {
	b.ReportAllocs()
	h := newAtomicHist(prometheus.DefBuckets)
	var seed atomic.Int64
	b.RunParallel(func(pb *testing.PB) {
		i := int(seed.Add(397))
		for pb.Next() {
			h.Observe(latency(i))
			i++
		}
	})
	checkObserved(b, h.Count())
}

// Write: 100 histograms of 30 bounds, each with 1000 observations, scraped
// whole to io.Discard.

const (
	writeHists  = 100
	writeBounds = 30
)

// writeBoundsList is the 30 bounds of the Write case: 100 µs to about 19 s.
var writeBoundsList = counter.ExponentialBounds(1e-4, 1.5, writeBounds)

// WriteFixture builds the Write case's histograms in a Registry, with 1000
// observations each; the test of the exposition reads it back.
func WriteFixture() *counter.Registry {
	r := counter.NewRegistry()
	for k := range writeHists {
		h := newRseqHist(writeBoundsList)
		for i := range 1000 {
			h.Observe(latency(i + k))
		}
		if err := r.Register(fmt.Sprintf(`bench_latency_seconds{handler="h%d"}`, k), "Latency.", h); err != nil {
			panic(err)
		}
	}
	return r
}

func writeRseq(b *testing.B) {
	b.ReportAllocs()
	r := WriteFixture()
	for b.Loop() {
		if err := r.WritePrometheus(io.Discard); err != nil {
			b.Fatal(err)
		}
	}
}

func writeProm(b *testing.B) {
	b.ReportAllocs()
	reg := prometheus.NewRegistry()
	vec := prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "bench_latency_seconds", Help: "Latency.", Buckets: writeBoundsList}, []string{"handler"})
	reg.MustRegister(vec)
	for k := range writeHists {
		h := vec.WithLabelValues(fmt.Sprintf("h%d", k))
		for i := range 1000 {
			h.Observe(latency(i + k))
		}
	}
	format := expfmt.NewFormat(expfmt.TypeTextPlain)
	for b.Loop() {
		mfs, err := reg.Gather()
		if err != nil {
			b.Fatal(err)
		}
		enc := expfmt.NewEncoder(io.Discard, format)
		for _, mf := range mfs {
			if err := enc.Encode(mf); err != nil {
				b.Fatal(err)
			}
		}
	}
}

func writeVMProm(b *testing.B) {
	b.ReportAllocs()
	s := vm.NewSet()
	for k := range writeHists {
		h := s.NewPrometheusHistogramExt(fmt.Sprintf(`bench_latency_seconds{handler="h%d"}`, k), writeBoundsList)
		for i := range 1000 {
			h.Update(latency(i + k))
		}
	}
	for b.Loop() {
		s.WritePrometheus(io.Discard)
	}
}
