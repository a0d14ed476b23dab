package rseq_test

import (
	"os"
	"runtime"
	"strings"
	"testing"

	"github.com/gorseq/rseq"
)

func TestDetectIsStable(t *testing.T) {
	a, b := rseq.Detect(), rseq.Detect()
	if a != b {
		t.Fatalf("Detect changed between calls: %+v then %+v", a, b)
	}
	if a.Slots < 1 {
		t.Fatalf("Slots = %d, want at least 1", a.Slots)
	}
	t.Log(a)
}

func TestDetectReasonMatchesBackend(t *testing.T) {
	d := rseq.Detect()
	switch d.Backend {
	case rseq.RSEQ:
		if d.Reason != "" || d.Registration == "" || d.Index == "" || !d.Fence {
			t.Fatalf("RSEQ backend with incomplete report: %+v", d)
		}
	case rseq.Atomic:
		if d.Reason == "" {
			t.Fatalf("Atomic backend without a reason: %+v", d)
		}
	default:
		t.Fatalf("unknown backend %v", d.Backend)
	}
}

// TestDetectHonoursEnvironment checks the reasons this process can predict.
func TestDetectHonoursEnvironment(t *testing.T) {
	d := rseq.Detect()
	switch v := os.Getenv("GORSEQ"); v {
	case "atomic":
		if d.Backend != rseq.Atomic || !strings.Contains(d.Reason, "GORSEQ=atomic") {
			t.Fatalf("GORSEQ=atomic: got %+v", d)
		}
	case "cpu_id":
		if d.Backend == rseq.RSEQ && d.Index != "cpu_id" {
			t.Fatalf("GORSEQ=cpu_id: got %+v", d)
		}
	case "", "rseq":
		if purego && (d.Backend != rseq.Atomic || !strings.Contains(d.Reason, "purego")) {
			t.Fatalf("purego build: got %+v", d)
		}
		if runtime.GOOS != "linux" || (runtime.GOARCH != "amd64" && runtime.GOARCH != "arm64") {
			if d.Backend != rseq.Atomic || !strings.Contains(d.Reason, "unsupported platform") {
				t.Fatalf("%s/%s: got %+v", runtime.GOOS, runtime.GOARCH, d)
			}
		}
	default:
		if d.Backend != rseq.Atomic || !strings.Contains(d.Reason, v) {
			t.Fatalf("GORSEQ=%q: got %+v", v, d)
		}
	}
}

func TestBackendString(t *testing.T) {
	for b, want := range map[rseq.Backend]string{rseq.Atomic: "atomic", rseq.RSEQ: "rseq", 7: "Backend(7)"} {
		if got := b.String(); got != want {
			t.Errorf("Backend(%d).String() = %q, want %q", b, got, want)
		}
	}
}
