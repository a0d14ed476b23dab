package counter_test

import (
	"fmt"
	"net/http"
	"os"
	"sync"
	"time"

	"github.com/gorseq/rseq/counter"
)

func ExampleCounter() {
	requests := counter.New()
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for range 1000 {
				requests.Inc() // one per-CPU add, no atomic instruction
			}
		})
	}
	wg.Wait()
	fmt.Println("requests:", requests.Load())
	fmt.Println("reset returned:", requests.Reset())
	fmt.Println("after reset:", requests.Load())
	// Output:
	// requests: 4000
	// reset returned: 4000
	// after reset: 0
}

func ExampleArray() {
	// A latency histogram: bucket i counts requests under 2^i ms.
	buckets, err := counter.NewArray(8)
	if err != nil {
		panic(err)
	}
	for _, ms := range []int{1, 3, 3, 12, 40, 200} {
		i := 0
		for i < buckets.Len()-1 && ms >= 1<<i {
			i++
		}
		buckets.Add(i, 1)
	}
	for i := range buckets.Len() {
		fmt.Print(buckets.Load(i), " ")
	}
	fmt.Println()
	// Output:
	// 0 1 2 0 1 0 1 1
}

func ExampleFloat() {
	busy := counter.NewFloat() // seconds spent, summed per CPU
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for range 1000 {
				busy.Add(0.25)
			}
		})
	}
	wg.Wait()
	fmt.Println("busy seconds:", busy.Load())
	fmt.Println("reset returned:", busy.Reset())
	// Output:
	// busy seconds: 1000
	// reset returned: 1000
}

func ExampleHistogram() {
	latency, err := counter.NewHistogram(counter.ExponentialBounds(0.001, 10, 4)) // 1 ms .. 1 s
	if err != nil {
		panic(err)
	}
	for _, ms := range []int{1, 3, 3, 12, 40, 200, 1500} {
		latency.ObserveDuration(time.Duration(ms) * time.Millisecond)
	}
	s := latency.SnapshotAndReset() // every Observe is in exactly one snapshot
	fmt.Println("bounds:", s.Bounds)
	fmt.Println("counts:", s.Counts, "count:", s.Count)
	fmt.Printf("sum: %.3fs, median: %.3fs\n", s.Sum, s.Quantile(0.5))
	fmt.Println("after reset:", latency.Snapshot().Count)
	// Output:
	// bounds: [0.001 0.01 0.1 1]
	// counts: [1 2 2 1 1] count: 7
	// sum: 1.759s, median: 0.033s
	// after reset: 0
}

func ExampleRegistry() {
	reg := counter.NewRegistry()
	requests := counter.New()
	errs, _ := counter.NewArray(2)
	latency, _ := counter.NewHistogram([]float64{0.1, 1})
	for _, err := range []error{
		reg.Register(`http_requests_total{handler="/"}`, "Requests served.", requests),
		reg.Register(`http_errors_total{handler="/",class=""}`, "Errors by class (0: client, 1: server).", errs),
		reg.Register(`http_request_duration_seconds{handler="/"}`, "Request latency.", latency),
	} {
		if err != nil {
			panic(err)
		}
	}
	requests.Add(3)
	errs.Add(1, 1)
	latency.Observe(0.05)
	latency.Observe(0.5)
	latency.Observe(2)
	reg.WritePrometheus(os.Stdout)
	// Output:
	// # HELP http_errors_total Errors by class (0: client, 1: server).
	// # TYPE http_errors_total counter
	// http_errors_total{class="0",handler="/"} 0
	// http_errors_total{class="1",handler="/"} 1
	// # HELP http_request_duration_seconds Request latency.
	// # TYPE http_request_duration_seconds histogram
	// http_request_duration_seconds_bucket{handler="/",le="0.1"} 1
	// http_request_duration_seconds_bucket{handler="/",le="1"} 2
	// http_request_duration_seconds_bucket{handler="/",le="+Inf"} 3
	// http_request_duration_seconds_sum{handler="/"} 2.55
	// http_request_duration_seconds_count{handler="/"} 3
	// # HELP http_requests_total Requests served.
	// # TYPE http_requests_total counter
	// http_requests_total{handler="/"} 3
}

// An HTTP handler serving /metrics from a Registry, for Prometheus to
// scrape (metrics_handler_test.go calls it through net/http/httptest).
func Example_metricsHandler() {
	reg := counter.NewRegistry()
	hits := counter.New()
	if err := reg.Register("hits_total", "Hits.", hits); err != nil {
		panic(err)
	}
	http.Handle("/metrics", MetricsHandler(reg))
	hits.Inc()
	// http.ListenAndServe(":9090", nil)
}

// MetricsHandler serves reg in Prometheus' text format.
func MetricsHandler(reg *counter.Registry) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
		if err := reg.WritePrometheus(w); err != nil {
			// The client went away: nothing to tell it.
			return
		}
	})
}
