package counter_test

import (
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
	"unsafe"

	"github.com/gorseq/rseq/counter"
	"github.com/gorseq/rseq/internal/cs"
)

// stripedCounter has the layout of xsync v4's Counter, the peer the memory
// budget is measured against: a header with a slice of stripes and a mask,
// and a stripe per power of two >= min(GOMAXPROCS, NumCPU), each an int64
// padded to a cache line. Its Add (a token from a sync.Pool picks the
// stripe; a CAS retries on another stripe) is in bench_test.go.
type stripedCounter struct {
	stripes []stripe
	mask    uint32
}

type stripe struct {
	v atomic.Int64
	_ [(cs.CacheLine - unsafe.Sizeof(atomic.Int64{})%cs.CacheLine) % cs.CacheLine]byte
}

func newStripedCounter() *stripedCounter {
	n := 1
	for n < min(runtime.GOMAXPROCS(0), runtime.NumCPU()) {
		n *= 2
	}
	return &stripedCounter{stripes: make([]stripe, n), mask: uint32(n - 1)}
}

func (c *stripedCounter) Load() int64 {
	var sum int64
	for i := range c.stripes {
		sum += c.stripes[i].v.Load()
	}
	return sum
}

func TestStripeLayout(t *testing.T) {
	if got := unsafe.Sizeof(stripe{}); got != cs.CacheLine {
		t.Errorf("stripe size %d, want %d", got, cs.CacheLine)
	}
}

// footprint is what n counters cost, measured after a forced GC.
type footprint struct {
	heap    uint64 // HeapInuse delta
	offHeap uint64 // live per-CPU bytes x slots delta
	rss     int64  // VmRSS delta; -1 where unknown
}

func (f footprint) perCounter(n int) float64 { return float64(f.heap+f.offHeap) / float64(n) }

// measure returns the footprint of n values from newT, each added to once
// (so that the pages behind them are resident), kept alive until measured.
func measure[T any](n int, newT func() *T, add func(*T)) footprint {
	heap0, off0, rss0 := memNow()
	keep := make([]*T, n)
	for i := range keep {
		keep[i] = newT()
		add(keep[i])
	}
	heap1, off1, rss1 := memNow()
	runtime.KeepAlive(keep)
	f := footprint{heap: heap1 - min(heap0, heap1), offHeap: off1 - min(off0, off1), rss: -1}
	if rss0 >= 0 && rss1 >= 0 {
		f.rss = rss1 - rss0
	}
	return f
}

func memNow() (heap, offHeap uint64, rss int64) {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	ps := cs.ReadPoolStats()
	return ms.HeapInuse, uint64(ps.LiveBytes) * uint64(cs.Slots()), vmRSS()
}

// vmRSS returns the process's resident memory in bytes, or -1.
func vmRSS() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return -1
	}
	for line := range strings.Lines(string(b)) {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
			if err != nil {
				return -1
			}
			return kb << 10
		}
	}
	return -1
}

// TestMemoryPerCounter creates a million counters (fewer under -short) and
// compares their footprint (Go heap in use plus live per-CPU memory, after
// a forced GC) with as many xsync-layout striped counters. The budget is
// 0.35x; it is asserted outside the race detector, which pads allocations.
// The RSS deltas are logged only: our counters run first, so the peer
// reuses some of the heap they freed, and one Add makes only the calling
// thread's slot of per-CPU memory resident.
func TestMemoryPerCounter(t *testing.T) {
	n := scale(1_000_000, 200_000, 200_000)
	// The slice holding the pointers is measured for both; subtract it.
	slice := uint64(n) * 8
	ours := measure(n, counter.New, func(c *counter.Counter) { c.Inc() })
	peer := measure(n, newStripedCounter, func(c *stripedCounter) { c.Add(1) })
	ours.heap -= min(ours.heap, slice)
	peer.heap -= min(peer.heap, slice)
	o, p := ours.perCounter(n), peer.perCounter(n)
	t.Logf("%d counters, %d slots, GOMAXPROCS %d: counter %.1f B each (heap %.1f + per-CPU %.1f), RSS delta %.1f MiB; "+
		"xsync-layout %.1f B each (heap %.1f), RSS delta %.1f MiB; ratio %.3f",
		n, cs.Slots(), runtime.GOMAXPROCS(0),
		o, float64(ours.heap)/float64(n), float64(ours.offHeap)/float64(n), float64(ours.rss)/(1<<20),
		p, float64(peer.heap)/float64(n), float64(peer.rss)/(1<<20), o/p)
	if cs.SlotsForced() {
		// The striped peer has a stripe per GOMAXPROCS, ours a word per
		// slot: with more slots than CPUs the comparison says nothing.
		// TestMemoryMatchesDoc checks the per-slot cost.
		t.Logf("slot count forced to %d on %d CPUs: the 0.35x budget is for a slot per CPU, not checked", cs.Slots(), runtime.NumCPU())
		return
	}
	if !cs.RaceEnabled && o > 0.35*p {
		t.Errorf("counter footprint %.1f B is %.2fx the striped counter's %.1f B, want at most 0.35x", o, o/p, p)
	}
}

// TestMemoryReturns checks that per-CPU memory goes back to the pool once
// counters and arrays are unreachable: a block's when all its counters are,
// an Array's with the Array. Cleanups run asynchronously after a GC, so the
// test collects until the pool shrinks, giving up after many rounds. Its
// baseline is taken once earlier tests' cleanups have run: one that ran
// while this test allocated made the pool look as if it had not grown.
func TestMemoryReturns(t *testing.T) {
	live0 := settledLive()
	func() {
		keep := make([]*counter.Counter, 10*counter.BlockLen)
		for i := range keep {
			keep[i] = counter.New()
			keep[i].Inc()
		}
		for range 3 {
			a, err := counter.NewArray(1000)
			if err != nil {
				t.Fatal(err)
			}
			a.Add(999, 1)
		}
		if live := cs.ReadPoolStats().Live; live < live0+10+3 {
			t.Fatalf("pool has %d live items after 10 blocks and 3 arrays, had %d", live, live0)
		}
		runtime.KeepAlive(keep)
	}()
	// At most one block stays: the allocator's current one.
	var live int
	for range 500 {
		runtime.GC()
		if live = cs.ReadPoolStats().Live; live <= live0+1 {
			return
		}
		time.Sleep(time.Millisecond)
	}
	t.Errorf("pool still has %d live items after the counters and arrays became unreachable; had %d before", live, live0)
}

// TestMemoryMatchesDoc checks the package doc's cost of a counter: 8 bytes
// per slot of per-CPU memory (blocks of 64 counters share an item) and an
// 8-byte header on the Go heap, whatever the slot count (the rseqslots test
// build runs it with 64 and 256 slots). The cleanups of earlier tests'
// counters run first, so that the pool does not shrink while it measures.
func TestMemoryMatchesDoc(t *testing.T) {
	const n = 64 * 500
	settledLive()
	f := measure(n, counter.New, func(c *counter.Counter) { c.Inc() })
	f.heap -= min(f.heap, uint64(n)*8) // the slice holding them
	perCPU, heap := float64(f.offHeap)/n, float64(f.heap)/n
	want := 8 * float64(cs.Slots())
	t.Logf("%d counters, %d slots: per-CPU %.1f B each (doc: 8 x %d = %.0f), heap %.1f B each (doc: an 8-byte header)",
		n, cs.Slots(), perCPU, cs.Slots(), want, heap)
	// One block more than n/64 may be counted: the allocator's current one.
	if perCPU > want*(1+64.0/n) || perCPU < want*0.9 {
		t.Errorf("per-CPU memory %.1f B per counter with %d slots, the doc says 8 B per slot (%.0f B)", perCPU, cs.Slots(), want)
	}
	// The header, plus its share of the block (cleanup, pointer): the doc's
	// 8 bytes and a margin for the allocator, but nothing per slot.
	if !cs.RaceEnabled && heap > 16 {
		t.Errorf("heap %.1f B per counter, the doc says an 8-byte header", heap)
	}
}

// settledLive collects until the pool's live count has held still for three
// rounds (at most 200), so that the cleanups of counters dropped earlier
// have run, and returns it.
func settledLive() int {
	prev := -1
	for stable, i := 0, 0; stable < 3 && i < 200; i++ {
		runtime.GC()
		time.Sleep(time.Millisecond) // cleanups run on their own goroutine
		if live := cs.ReadPoolStats().Live; live == prev {
			stable++
		} else {
			prev, stable = live, 0
		}
	}
	return prev
}
