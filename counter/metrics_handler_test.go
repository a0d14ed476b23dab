package counter_test

import (
	"io"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gorseq/rseq/counter"
)

func TestMetricsHandler(t *testing.T) {
	reg := counter.NewRegistry()
	hits := counter.New()
	lat, err := counter.NewHistogram([]float64{1})
	if err != nil {
		t.Fatal(err)
	}
	if err := reg.Register("hits_total", "Hits.", hits); err != nil {
		t.Fatal(err)
	}
	if err := reg.Register("lat_seconds", "Latency.", lat); err != nil {
		t.Fatal(err)
	}
	hits.Add(7)
	lat.Observe(0.5)
	// The handler is served in memory: the QEMU guests of .ci/vm have no
	// network, not even a loopback interface that is up.
	rec := httptest.NewRecorder()
	MetricsHandler(reg).ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	resp := rec.Result()
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain; version=0.0.4") {
		t.Errorf("Content-Type %q", ct)
	}
	want := "# HELP hits_total Hits.\n# TYPE hits_total counter\nhits_total 7\n" +
		"# HELP lat_seconds Latency.\n# TYPE lat_seconds histogram\n" +
		"lat_seconds_bucket{le=\"1\"} 1\nlat_seconds_bucket{le=\"+Inf\"} 1\nlat_seconds_sum 0.5\nlat_seconds_count 1\n"
	if string(body) != want {
		t.Errorf("GET /metrics:\n%s\nwant:\n%s", body, want)
	}
}
