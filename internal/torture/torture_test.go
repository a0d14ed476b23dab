package torture_test

import (
	"fmt"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/gorseq/rseq/internal/cs"
	"github.com/gorseq/rseq/internal/torture"
)

func TestMain(m *testing.M) {
	fmt.Fprintln(os.Stderr, "internal/torture tests:", torture.Shape())
	goleak.VerifyTestMain(m)
}

// Each injector injects, alone, and Stop undoes GOMAXPROCS changes. The
// test waits for each to act, however long that takes.
func TestInjectors(t *testing.T) {
	procs := runtime.GOMAXPROCS(0)
	var worked atomic.Int64
	linux := runtime.GOOS == "linux"
	for _, nf := range torture.Each(func() { worked.Add(1) }) {
		t.Run(nf.Name, func(t *testing.T) {
			// what returns the count the injector set must raise.
			what := map[string]func(torture.Summary) uint64{
				"signals":    func(s torture.Summary) uint64 { return s.Signals },
				"churn":      func(s torture.Summary) uint64 { return s.Threads },
				"migrate":    func(s torture.Summary) uint64 { return s.Migrations },
				"gomaxprocs": func(s torture.Summary) uint64 { return s.GOMAXPROCS },
				"gc":         func(s torture.Summary) uint64 { return s.GCs },
				"all": func(s torture.Summary) uint64 {
					return min(s.Threads, s.GOMAXPROCS, s.GCs)
				},
			}[nf.Name]
			switch {
			case what == nil:
				t.Fatalf("no check for injector set %q", nf.Name)
			case !linux && (nf.Name == "signals" || nf.Name == "migrate"):
				what = nil // Linux injectors: nothing to wait for
			case nf.Name == "migrate" && runtime.NumCPU() < 2:
				what = nil
			}
			worked.Store(0)
			in := torture.Start(nf.Faults)
			for what != nil && what(in.Summary()) == 0 {
				time.Sleep(time.Millisecond)
			}
			s := in.Stop()
			t.Log(s)
			if got := runtime.GOMAXPROCS(0); got != procs {
				t.Errorf("GOMAXPROCS %d after Stop, want %d", got, procs)
			}
			if nf.Faults.Churn && worked.Load() != int64(s.Threads) {
				t.Errorf("Work ran %d times on %d churned threads", worked.Load(), s.Threads)
			}
		})
	}
}

// Hammer stops when its time is up, even with operations much slower than
// the check, counts every operation, and runs op at least once on every
// worker.
func TestHammer(t *testing.T) {
	var n atomic.Int64
	var ran [3]atomic.Bool
	ops := torture.Hammer(3, 20*time.Millisecond, func(w, i int) {
		n.Add(1)
		ran[w].Store(true)
		if w == 0 {
			time.Sleep(time.Millisecond)
		}
	})
	if ops != n.Load() {
		t.Fatalf("Hammer returned %d, op ran %d times", ops, n.Load())
	}
	for w := range ran {
		if !ran[w].Load() {
			t.Errorf("worker %d never ran op", w)
		}
	}
	// Even a window that has closed before the workers start runs op once
	// on each.
	if ops := torture.Hammer(4, 0, func(int, int) {}); ops < 4 {
		t.Errorf("Hammer with d=0 ran op %d times, want at least one per worker (4)", ops)
	}
}

// Stress runs a subtest per injector set and passes the report through.
func TestStress(t *testing.T) {
	var names []string
	torture.Stress(t, nil, func(t *testing.T) (int64, func() int64) {
		names = append(names, t.Name())
		ops := torture.Hammer(2, 5*time.Millisecond, func(int, int) { runtime.Gosched() })
		return ops, func() int64 { return 0 }
	})
	if len(names) != len(torture.Each(nil)) {
		t.Fatalf("ran %v", names)
	}
}

// Shape names the backend, the slot count and the CPU count it runs on.
func TestShape(t *testing.T) {
	s := torture.Shape()
	d := cs.Describe()
	want := []string{"slots=" + strconv.Itoa(d.Slots), "cpus=" + strconv.Itoa(runtime.NumCPU()), "arch=" + runtime.GOOS + "/" + runtime.GOARCH}
	if d.RSEQ {
		want = append(want, "backend=rseq", "index="+d.Index, "registration="+d.Registration)
	} else {
		want = append(want, "backend=atomic", "reason=")
	}
	for _, w := range want {
		if !strings.Contains(s, w) {
			t.Errorf("Shape() = %q, missing %q", s, w)
		}
	}
	t.Log(s)
}

// OnCPU pins the thread to the CPU for f only, on every CPU it may use.
func TestOnCPU(t *testing.T) {
	all := torture.AllowedCPUs()
	if len(all) == 0 {
		t.Fatal("no allowed CPU")
	}
	for _, c := range all {
		var inside []int
		pinned := torture.OnCPU(c, func() { inside = torture.AllowedCPUs() })
		if runtime.GOOS != "linux" {
			if pinned {
				t.Fatalf("OnCPU(%d) pinned on %s", c, runtime.GOOS)
			}
			continue
		}
		if !pinned || len(inside) != 1 || inside[0] != c {
			t.Fatalf("OnCPU(%d): pinned %v, allowed CPUs inside %v", c, pinned, inside)
		}
	}
	if runtime.GOOS == "linux" {
		runtime.LockOSThread()
		after := torture.AllowedCPUs()
		runtime.UnlockOSThread()
		if !slices.Equal(after, all) {
			t.Fatalf("allowed CPUs %v after OnCPU, want %v back", after, all)
		}
	}
}
