package benchmarks

import (
	"math"
	"sync/atomic"
	"testing"

	vm "github.com/VictoriaMetrics/metrics"
	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/gorseq/rseq/counter"
)

// The float row of the counter suite: Add(0.5) to one float64 counter. 0.5
// keeps sums exact (checked against b.N/2) and is not an integer, so
// client_golang takes its float path (a compare-and-swap loop on the
// bits), as it does for seconds or fractional bytes.

func floatCase() *Case {
	return &Case{
		Name: "AddFloat", Op: "Add(0.5) to one shared float64 counter",
		Bench: "CounterAddFloat", ParBench: "CounterAddFloatParallel",
		Impls: []Impl{
			{Name: "impl=rseq", Backend: true, Single: addFloatRseq, Parallel: addFloatRseqPar},
			{Name: "peer=prometheus", Single: addFloatProm, Parallel: addFloatPromPar},
			{Name: "peer=vm", Single: addFloatVM, Parallel: addFloatVMPar},
			{Name: "peer=atomic-cas", Single: addFloatCAS, Parallel: addFloatCASPar},
		},
	}
}

func checkFloat(b *testing.B, got float64) {
	if want := float64(b.N) / 2; got != want {
		b.Errorf("float counter holds %v after %d adds of 0.5, want %v", got, b.N, want)
	}
	keep(int64(got))
}

func addFloatRseq(b *testing.B) {
	b.ReportAllocs()
	f := counter.NewFloat()
	for b.Loop() {
		f.Add(0.5)
	}
	checkFloat(b, f.Load())
}

func addFloatRseqPar(b *testing.B) {
	b.ReportAllocs()
	f := counter.NewFloat()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			f.Add(0.5)
		}
	})
	checkFloat(b, f.Load())
}

func promFloat(c prometheus.Counter) float64 {
	var m dto.Metric
	if err := c.Write(&m); err != nil {
		panic("prometheus Write: " + err.Error())
	}
	return m.GetCounter().GetValue()
}

func addFloatProm(b *testing.B) {
	b.ReportAllocs()
	c := newProm()
	for b.Loop() {
		c.Add(0.5)
	}
	checkFloat(b, promFloat(c))
}

func addFloatPromPar(b *testing.B) {
	b.ReportAllocs()
	c := newProm()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			c.Add(0.5)
		}
	})
	checkFloat(b, promFloat(c))
}

func addFloatVM(b *testing.B) {
	b.ReportAllocs()
	c := vm.NewSet().NewFloatCounter("bench_total")
	for b.Loop() {
		c.Add(0.5)
	}
	checkFloat(b, c.Get())
}

func addFloatVMPar(b *testing.B) {
	b.ReportAllocs()
	c := vm.NewSet().NewFloatCounter("bench_total")
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			c.Add(0.5)
		}
	})
	checkFloat(b, c.Get())
}

// casFloat is a float64 counter on sync/atomic: a compare-and-swap loop on
// the bits, padded.
type casFloat struct {
	bits atomic.Uint64
	_    [cacheLine - 8]byte
}

func (c *casFloat) Add(d float64) {
	for {
		old := c.bits.Load()
		if c.bits.CompareAndSwap(old, math.Float64bits(math.Float64frombits(old)+d)) {
			return
		}
	}
}

func (c *casFloat) Load() float64 { return math.Float64frombits(c.bits.Load()) }

func addFloatCAS(b *testing.B) {
	b.ReportAllocs()
	c := new(casFloat)
	for b.Loop() {
		c.Add(0.5)
	}
	checkFloat(b, c.Load())
}

func addFloatCASPar(b *testing.B) {
	b.ReportAllocs()
	c := new(casFloat)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			c.Add(0.5)
		}
	})
	checkFloat(b, c.Load())
}
