package counter_test

import (
	"testing"
	"unsafe"

	"github.com/gorseq/rseq/counter"
)

func TestCounterBasics(t *testing.T) {
	c := counter.New()
	if got := c.Load(); got != 0 {
		t.Fatalf("new counter: Load() = %d, want 0", got)
	}
	c.Inc()
	c.Add(41)
	c.Add(-2)
	if got := c.Load(); got != 40 {
		t.Fatalf("after Inc, Add(41), Add(-2): Load() = %d, want 40", got)
	}
	if got := c.Reset(); got != 40 {
		t.Fatalf("Reset() = %d, want 40", got)
	}
	if got := c.Load(); got != 0 {
		t.Fatalf("after Reset: Load() = %d, want 0", got)
	}
	if got := c.Reset(); got != 0 {
		t.Fatalf("second Reset() = %d, want 0", got)
	}
	c.Add(-7)
	if got := c.Load(); got != -7 {
		t.Fatalf("Load() = %d, want -7", got)
	}
}

func TestCounterWraps(t *testing.T) {
	c := counter.New()
	c.Add(1<<63 - 1)
	c.Inc()
	if got := c.Load(); got != -1<<63 {
		t.Fatalf("MaxInt64 + 1: Load() = %d, want %d", got, int64(-1<<63))
	}
}

func TestZeroCounter(t *testing.T) {
	var c counter.Counter
	if got := c.Load(); got != 0 {
		t.Fatalf("zero Counter: Load() = %d, want 0", got)
	}
	if got := c.Reset(); got != 0 {
		t.Fatalf("zero Counter: Reset() = %d, want 0", got)
	}
	c.Add(5)
	c.Inc()
	if got := c.Load(); got != 6 {
		t.Fatalf("zero Counter after Add(5), Inc: Load() = %d, want 6", got)
	}
	if got := c.Reset(); got != 6 {
		t.Fatalf("Reset() = %d, want 6", got)
	}
}

// TestCountersIndependent fills several blocks and checks that no two
// counters share a word, whether from New or zero values initialised in
// between.
func TestCountersIndependent(t *testing.T) {
	n := 5*counter.BlockLen + 3
	cs := make([]*counter.Counter, n)
	zs := make([]counter.Counter, n/7)
	for i := range cs {
		cs[i] = counter.New()
		if i%7 == 0 && i/7 < len(zs) {
			zs[i/7].Add(int64(-i - 1))
		}
	}
	for i, c := range cs {
		c.Add(int64(i + 1))
	}
	for i, c := range cs {
		if got := c.Load(); got != int64(i+1) {
			t.Errorf("counter %d: Load() = %d, want %d", i, got, i+1)
		}
	}
	for i := range zs {
		if got := zs[i].Load(); got != int64(-7*i-1) {
			t.Errorf("zero counter %d: Load() = %d, want %d", i, got, -7*i-1)
		}
	}
}

// TestLayout pins the header sizes the memory budget counts on.
func TestLayout(t *testing.T) {
	l := counter.CounterLayout()
	ptr := unsafe.Sizeof(uintptr(0))
	if l.Size != 2*ptr || l.Offsets["p"] != 0 || l.Offsets["blk"] != ptr {
		t.Errorf("Counter layout: size %d, p at %d, blk at %d; want size %d, p at 0, blk at %d",
			l.Size, l.Offsets["p"], l.Offsets["blk"], 2*ptr, ptr)
	}
	if got, want := counter.BlockSize(), uintptr(counter.BlockLen)*l.Size; got != want {
		t.Errorf("block size %d, want %d (BlockLen %d x header %d)", got, want, counter.BlockLen, l.Size)
	}
}
