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

func TestZeroCounterPanics(t *testing.T) {
	const want = "counter: method called on a zero Counter; create counters with counter.New"
	var c counter.Counter
	for name, f := range map[string]func(){
		"Add":   func() { c.Add(1) },
		"Inc":   func() { c.Inc() },
		"Load":  func() { c.Load() },
		"Reset": func() { c.Reset() },
	} {
		if got := panicMessage(f); got != want {
			t.Errorf("zero Counter: %s panicked with %q, want %q", name, got, want)
		}
	}
}

// TestCountersIndependent fills several blocks and checks that no two
// counters share a word.
func TestCountersIndependent(t *testing.T) {
	cs := make([]*counter.Counter, 5*counter.BlockLen+3)
	for i := range cs {
		cs[i] = counter.New()
		cs[i].Add(int64(i + 1))
	}
	for i, c := range cs {
		c.Add(int64(i + 1))
	}
	for i, c := range cs {
		if got := c.Load(); got != int64(2*i+2) {
			t.Errorf("counter %d: Load() = %d, want %d", i, got, 2*i+2)
		}
	}
}

// TestLayout pins the header size the memory budget counts on: one
// pointer per counter, 64 to a block.
func TestLayout(t *testing.T) {
	l := counter.CounterLayout()
	ptr := unsafe.Sizeof(uintptr(0))
	if l.Size != ptr || l.Offsets["p"] != 0 {
		t.Errorf("Counter layout: size %d, p at %d; want size %d, p at 0", l.Size, l.Offsets["p"], ptr)
	}
	if got, want := counter.BlockSize(), uintptr(counter.BlockLen)*ptr; got != want {
		t.Errorf("block size %d, want %d (BlockLen %d x %d)", got, want, counter.BlockLen, ptr)
	}
}
