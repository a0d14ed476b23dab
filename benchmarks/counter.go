package benchmarks

import (
	"sync/atomic"
	"testing"

	"github.com/cockroachdb/crlib/crsync"
	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"github.com/puzpuzpuz/xsync/v4"

	"github.com/gorseq/rseq/counter"
)

// The counter suite: Add(1) and Load on one counter, and the memory a
// counter costs. Each loop is written out for its implementation (no
// interface or func value in the timed path, except prometheus.Counter,
// which is an interface to its users too).
//
// After an Add measurement the counter must hold exactly b.N: a lost or
// doubled add fails the benchmark.

func counterSuite() *Structure {
	return &Structure{
		Name: "counter",
		Doc:  "one int64 counter: Add(1) and Load",
		Cases: []*Case{
			{
				Name: "Add", Op: "Add(1) to one shared counter",
				Bench: "CounterAdd", ParBench: "CounterAddParallel",
				Impls: []Impl{
					{Name: "impl=rseq", Backend: true, Single: addRseq, Parallel: addRseqPar},
					{Name: "peer=atomic.Int64", Single: addAtomic, Parallel: addAtomicPar},
					{Name: "peer=xsync", Single: addXsync, Parallel: addXsyncPar},
					{Name: "peer=crsync", Single: addCrsync, Parallel: addCrsyncPar},
					{Name: "peer=prometheus", Single: addProm, Parallel: addPromPar},
					{Name: "peer=procpin", Single: addPin, Parallel: addPinPar},
				},
			},
			{
				Name: "Load", Op: "Load of a counter (sum of its parts)",
				Bench: "CounterLoad", ParBench: "CounterLoadParallel",
				Impls: []Impl{
					{Name: "impl=rseq", Backend: true, Single: loadRseq, Parallel: loadRseqPar},
					{Name: "peer=atomic.Int64", Single: loadAtomic, Parallel: loadAtomicPar},
					{Name: "peer=xsync", Single: loadXsync, Parallel: loadXsyncPar},
					{Name: "peer=crsync", Single: loadCrsync, Parallel: loadCrsyncPar},
					{Name: "peer=prometheus", Single: loadProm, Parallel: loadPromPar},
					{Name: "peer=procpin", Single: loadPin, Parallel: loadPinPar},
				},
			},
			floatCase(), // float.go
		},
		Memory: &Memory{
			Unit: "counter",
			Impls: []MemImpl{
				{Name: "impl=rseq", Backend: true, Make: makeRseq},
				{Name: "peer=atomic.Int64", Make: makeAtomic},
				{Name: "peer=xsync", Make: makeXsync},
				{Name: "peer=crsync", Make: makeCrsync},
				{Name: "peer=prometheus", Make: makeProm},
				{Name: "peer=procpin", Make: makePin},
			},
		},
	}
}

// checkCount fails b unless the counter holds the b.N adds it was given.
func checkCount(b *testing.B, got int64) {
	if got != int64(b.N) {
		b.Errorf("counter holds %d after %d adds", got, b.N)
	}
	keep(got)
}

// impl=rseq

func addRseq(b *testing.B) {
	b.ReportAllocs()
	c := counter.New()
	for b.Loop() {
		c.Add(1)
	}
	checkCount(b, c.Load())
}

func addRseqPar(b *testing.B) {
	b.ReportAllocs()
	c := counter.New()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			c.Add(1)
		}
	})
	checkCount(b, c.Load())
}

func loadRseq(b *testing.B) {
	b.ReportAllocs()
	c := counter.New()
	c.Add(1)
	var sum int64
	for b.Loop() {
		sum += c.Load()
	}
	keep(sum)
}

func loadRseqPar(b *testing.B) {
	b.ReportAllocs()
	c := counter.New()
	c.Add(1)
	b.RunParallel(func(pb *testing.PB) {
		var sum int64
		for pb.Next() {
			sum += c.Load()
		}
		keep(sum)
	})
}

// peer=atomic.Int64

func addAtomic(b *testing.B) {
	b.ReportAllocs()
	c := new(atomic.Int64)
	for b.Loop() {
		c.Add(1)
	}
	checkCount(b, c.Load())
}

func addAtomicPar(b *testing.B) {
	b.ReportAllocs()
	c := new(atomic.Int64)
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			c.Add(1)
		}
	})
	checkCount(b, c.Load())
}

func loadAtomic(b *testing.B) {
	b.ReportAllocs()
	c := new(atomic.Int64)
	c.Add(1)
	var sum int64
	for b.Loop() {
		sum += c.Load()
	}
	keep(sum)
}

func loadAtomicPar(b *testing.B) {
	b.ReportAllocs()
	c := new(atomic.Int64)
	c.Add(1)
	b.RunParallel(func(pb *testing.PB) {
		var sum int64
		for pb.Next() {
			sum += c.Load()
		}
		keep(sum)
	})
}

// peer=xsync

func addXsync(b *testing.B) {
	b.ReportAllocs()
	c := xsync.NewCounter()
	for b.Loop() {
		c.Add(1)
	}
	checkCount(b, c.Value())
}

func addXsyncPar(b *testing.B) {
	b.ReportAllocs()
	c := xsync.NewCounter()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			c.Add(1)
		}
	})
	checkCount(b, c.Value())
}

func loadXsync(b *testing.B) {
	b.ReportAllocs()
	c := xsync.NewCounter()
	c.Add(1)
	var sum int64
	for b.Loop() {
		sum += c.Value()
	}
	keep(sum)
}

func loadXsyncPar(b *testing.B) {
	b.ReportAllocs()
	c := xsync.NewCounter()
	c.Add(1)
	b.RunParallel(func(pb *testing.PB) {
		var sum int64
		for pb.Next() {
			sum += c.Value()
		}
		keep(sum)
	})
}

// peer=crsync

func addCrsync(b *testing.B) {
	b.ReportAllocs()
	c := crsync.MakeCounter()
	for b.Loop() {
		c.Add(1)
	}
	checkCount(b, c.Get())
}

func addCrsyncPar(b *testing.B) {
	b.ReportAllocs()
	c := crsync.MakeCounter()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			c.Add(1)
		}
	})
	checkCount(b, c.Get())
}

func loadCrsync(b *testing.B) {
	b.ReportAllocs()
	c := crsync.MakeCounter()
	c.Add(1)
	var sum int64
	for b.Loop() {
		sum += c.Get()
	}
	keep(sum)
}

func loadCrsyncPar(b *testing.B) {
	b.ReportAllocs()
	c := crsync.MakeCounter()
	c.Add(1)
	b.RunParallel(func(pb *testing.PB) {
		var sum int64
		for pb.Next() {
			sum += c.Get()
		}
		keep(sum)
	})
}

// peer=prometheus: Inc is its integer add; reading a counter is Write, what
// a scrape does.

func newProm() prometheus.Counter {
	return prometheus.NewCounter(prometheus.CounterOpts{Name: "bench_ops_total", Help: "Operations."})
}

func promValue(c prometheus.Counter) int64 {
	var m dto.Metric
	if err := c.Write(&m); err != nil {
		panic("prometheus Write: " + err.Error())
	}
	return int64(m.GetCounter().GetValue())
}

func addProm(b *testing.B) {
	b.ReportAllocs()
	c := newProm()
	for b.Loop() {
		c.Inc()
	}
	checkCount(b, promValue(c))
}

func addPromPar(b *testing.B) {
	b.ReportAllocs()
	c := newProm()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			c.Inc()
		}
	})
	checkCount(b, promValue(c))
}

func loadProm(b *testing.B) {
	b.ReportAllocs()
	c := newProm()
	c.Inc()
	var sum int64
	for b.Loop() {
		sum += promValue(c)
	}
	keep(sum)
}

func loadPromPar(b *testing.B) {
	b.ReportAllocs()
	c := newProm()
	c.Inc()
	b.RunParallel(func(pb *testing.PB) {
		var sum int64
		for pb.Next() {
			sum += promValue(c)
		}
		keep(sum)
	})
}

// peer=procpin

func addPin(b *testing.B) {
	b.ReportAllocs()
	c := newPinCounter()
	for b.Loop() {
		c.Add(1)
	}
	checkCount(b, c.Load())
}

func addPinPar(b *testing.B) {
	b.ReportAllocs()
	c := newPinCounter()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			c.Add(1)
		}
	})
	checkCount(b, c.Load())
}

func loadPin(b *testing.B) {
	b.ReportAllocs()
	c := newPinCounter()
	c.Add(1)
	var sum int64
	for b.Loop() {
		sum += c.Load()
	}
	keep(sum)
}

func loadPinPar(b *testing.B) {
	b.ReportAllocs()
	c := newPinCounter()
	c.Add(1)
	b.RunParallel(func(pb *testing.PB) {
		var sum int64
		for pb.Next() {
			sum += c.Load()
		}
		keep(sum)
	})
}

// Memory: n counters, each incremented (see MeasureMemory).

func makeRseq(n int) (any, func(int), func(int) int64) {
	cs := make([]*counter.Counter, n)
	for i := range cs {
		cs[i] = counter.New()
	}
	return cs, func(i int) { cs[i].Add(1) }, func(i int) int64 { return cs[i].Load() }
}

func makeAtomic(n int) (any, func(int), func(int) int64) {
	cs := make([]*atomic.Int64, n)
	for i := range cs {
		cs[i] = new(atomic.Int64)
	}
	return cs, func(i int) { cs[i].Add(1) }, func(i int) int64 { return cs[i].Load() }
}

func makeXsync(n int) (any, func(int), func(int) int64) {
	cs := make([]*xsync.Counter, n)
	for i := range cs {
		cs[i] = xsync.NewCounter()
	}
	return cs, func(i int) { cs[i].Add(1) }, func(i int) int64 { return cs[i].Value() }
}

func makeCrsync(n int) (any, func(int), func(int) int64) {
	cs := make([]crsync.Counter, n) // a value type: held by value
	for i := range cs {
		cs[i] = crsync.MakeCounter()
	}
	return cs, func(i int) { cs[i].Add(1) }, func(i int) int64 { return cs[i].Get() }
}

func makeProm(n int) (any, func(int), func(int) int64) {
	cs := make([]prometheus.Counter, n)
	for i := range cs {
		cs[i] = newProm()
	}
	return cs, func(i int) { cs[i].Inc() }, func(i int) int64 { return promValue(cs[i]) }
}

func makePin(n int) (any, func(int), func(int) int64) {
	cs := make([]*pinCounter, n)
	for i := range cs {
		cs[i] = newPinCounter()
	}
	return cs, func(i int) { cs[i].Add(1) }, func(i int) int64 { return cs[i].Load() }
}
