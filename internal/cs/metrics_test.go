package cs_test

import (
	"encoding/binary"
	"fmt"
	"math"
	"runtime"
	"sync/atomic"
	"testing"
	"time"
	"unsafe"

	"github.com/gorseq/rseq/internal/cs"
	"github.com/gorseq/rseq/internal/torture"
)

// The metrics primitives (AddFloat64, AddPairAt) against their generic (pure-Go) versions,
// in one binary: the raw asm section and the exported function on the
// calling thread's slot of per-CPU memory, the generic version on Go memory, from the
// same initial bytes; every byte must match. A call that moves between
// reading its slot and running (it cannot tell: the sections take the
// current slot) is detected by comparing every slot and retried.

// pairCase is one call: the initial pairs, the bounds, x.
type pairCase struct {
	float  bool // AddFloat64 on word 0 (else AddPairAt)
	init   [8][2]uint64
	bounds [6]float64
	n      uintptr // even, <= 6
	x      float64
}

type pairMem [8][2]uint64

func (c *pairCase) generic(m *pairMem) {
	if c.float {
		cs.AddFloat64Generic(unsafe.Pointer(m), 0, 0, c.x)
		return
	}
	cs.AddPairAtGeneric(unsafe.Pointer(m), 0, 0, unsafe.Pointer(&c.bounds), c.n, c.x)
}

func checkPair(t *testing.T, mem cs.Mem, c *pairCase, raw bool) {
	t.Helper()
	if err := pairErr(mem, c, raw); err != nil {
		t.Fatal(err)
	}
}

func pairErr(mem cs.Mem, c *pairCase, raw bool) error {
	// The raw sections report a thread without an area (pure-Go mode):
	// register this one first, and stay on it.
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	if raw {
		switch _, st := cs.RawCurrent(); st {
		case cs.OK:
		case cs.StNoRSEQ:
			// This thread cannot use rseq (the main thread of a PIE):
			// check on another, this one staying locked.
			errc := make(chan error)
			go func() { errc <- pairErr(mem, c, raw) }()
			return <-errc
		default:
			return fmt.Errorf("this thread cannot run sections: %v", st)
		}
		// With fewer slots than CPUs, an index in range (and pinned).
		restore, err := cs.MoveInRange()
		if err != nil {
			return err
		}
		defer restore()
	}
	want := pairMem(c.init)
	c.generic(&want)
	for s := range cs.Slots() {
		*(*pairMem)(mem.Slot(s)) = c.init
	}
	var st cs.Status = cs.OK
	switch {
	case c.float && raw:
		st = cs.RawAddFloat64(mem.Base(), mem.Stride(), c.x)
	case c.float:
		cs.AddFloat64(mem.Base(), mem.Stride(), c.x)
	case raw:
		st = cs.RawAddPairAt(mem.Base(), mem.Stride(), unsafe.Pointer(&c.bounds), c.n, c.x)
	default:
		cs.AddPairAt(mem.Base(), mem.Stride(), unsafe.Pointer(&c.bounds), c.n, c.x)
	}
	if st != cs.OK {
		return fmt.Errorf("case %+v: raw section returned %v", *c, st)
	}
	// One slot (whichever the thread ran on) must hold what the generic version made
	// of the same bytes, every other slot its initial bytes.
	changed := 0
	for s := range cs.Slots() {
		got := *(*pairMem)(mem.Slot(s))
		if got == pairMem(c.init) {
			continue
		}
		changed++
		if got != want {
			return fmt.Errorf("case %+v, slot %d:\nasm  %x\ngeneric %x", *c, s, got, want)
		}
	}
	if wantChanged := btoi(want != pairMem(c.init)); changed != wantChanged {
		return fmt.Errorf("case %+v: %d slots changed, want %d", *c, changed, wantChanged)
	}
	return nil
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

func newPairMem(t testing.TB) cs.Mem {
	m, err := cs.Alloc(unsafe.Sizeof(pairMem{}), 16)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(m.Free)
	return m
}

func pairCases() []pairCase {
	inf, nan := math.Inf(1), math.NaN()
	var cases []pairCase
	bounds := [6]float64{-2, 0, 0.5, 1, 4, inf}
	for _, x := range []float64{-3, -2, -1, 0, 0.25, 0.5, 0.75, 1, 3, 4, 5, 1e300, inf, -inf, nan, math.Copysign(0, -1)} {
		for _, n := range []uintptr{0, 2, 4, 6} {
			c := pairCase{bounds: bounds, n: n, x: x}
			for i := range c.init {
				c.init[i] = [2]uint64{uint64(i * 3), math.Float64bits(float64(i) - 0.5)}
			}
			cases = append(cases, c)
		}
		c := pairCase{float: true, x: x}
		c.init[0][0] = math.Float64bits(1.5)
		cases = append(cases, c)
	}
	return cases
}

func TestMetricsAsmMatchesGeneric(t *testing.T) {
	needCommits(t)
	mem := newPairMem(t)
	for _, c := range pairCases() {
		checkPair(t, mem, &c, true)
		checkPair(t, mem, &c, false)
	}
}

// The exported functions in every backend: the same results as the generic versions.
func TestMetricsPrimitives(t *testing.T) {
	mem := newPairMem(t)
	for _, c := range pairCases() {
		checkPair(t, mem, &c, false)
	}
	// The generic version by hand: bounds {1, 2}, x = 1.5 goes to pair 1.
	var m pairMem
	b := [2]float64{1, 2}
	cs.AddPairAtGeneric(unsafe.Pointer(&m), 0, 0, unsafe.Pointer(&b), 2, 1.5)
	cs.AddPairAtGeneric(unsafe.Pointer(&m), 0, 0, unsafe.Pointer(&b), 2, 1.25)
	if m[1][0] != 2 || math.Float64frombits(m[1][1]) != 2.75 || m[0] != [2]uint64{} || m[2] != [2]uint64{} {
		t.Errorf("generic: %x", m)
	}
}

func FuzzMetricsAsmMatchesGeneric(f *testing.F) {
	f.Add([]byte{0, 4, 0, 0, 0, 0, 0, 0, 0xe0, 0x3f})
	f.Add([]byte{1, 0, 0, 0, 0, 0, 0, 0, 0xf8, 0x7f})
	f.Add([]byte{2, 6, 0, 0, 0, 0, 0, 0, 0xf0, 0x7f, 1, 2, 3})
	f.Fuzz(func(t *testing.T, data []byte) {
		needCommits(t)
		if len(data) < 10 {
			return
		}
		c := pairCase{float: data[0]%3 == 1, n: uintptr(data[1]%4) * 2}
		c.x = math.Float64frombits(binary.LittleEndian.Uint64(data[2:10]))
		rest := data[10:]
		for i := range c.bounds {
			// Bounds sorted or not: the search counts, it does not bisect.
			if len(rest) >= 2 {
				c.bounds[i] = float64(int8(rest[0])) / float64(1+rest[1]%8)
				rest = rest[2:]
			}
		}
		for i := range c.init {
			if len(rest) >= 1 {
				c.init[i] = [2]uint64{uint64(rest[0]), math.Float64bits(float64(rest[0]) / 3)}
				rest = rest[1:]
			}
		}
		checkPair(t, newPairMem(t), &c, data[0]%2 == 0)
	})
}

// BenchmarkAddFloat64 writes its loops out, as bench_test.go says why.
func BenchmarkAddFloat64(b *testing.B) {
	m := benchMem(b, 8)
	b.Run("impl=rseq", func(b *testing.B) {
		needRSEQ(b)
		for b.Loop() {
			cs.AddFloat64(m.Base(), m.Stride(), 0.5)
		}
	})
	b.Run("impl=generic", func(b *testing.B) {
		s := cs.CurrentSlot()
		for b.Loop() {
			cs.AddFloat64Generic(m.Base(), m.Stride(), s, 0.5)
		}
	})
}

// BenchmarkAddPairAt: 12 bounds (Prometheus' 11 default ones plus +Inf
// padding), x cycling over every bucket.
func BenchmarkAddPairAt(b *testing.B) {
	m := benchMem(b, 13*16)
	bounds := [12]float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, math.Inf(1)}
	xs := [8]float64{0.001, 0.02, 0.07, 0.3, 0.7, 3, 7, 20}
	b.Run("impl=rseq", func(b *testing.B) {
		needRSEQ(b)
		i := 0
		for b.Loop() {
			cs.AddPairAt(m.Base(), m.Stride(), unsafe.Pointer(&bounds), 12, xs[i&7])
			i++
		}
	})
	b.Run("impl=generic", func(b *testing.B) {
		s := cs.CurrentSlot()
		i := 0
		for b.Loop() {
			cs.AddPairAtGeneric(m.Base(), m.Stride(), s, unsafe.Pointer(&bounds), 12, xs[i&7])
			i++
		}
	})
}

// TestPairExact: every AddPairAt and AddFloat64 lands exactly once, whole,
// under each fault injector alone and all together, with a goroutine that
// drains the pairs and floats with every slot stopped (as counter's
// snapshots do): each drained pair's sum equals its count (every x is 1),
// and the drained totals plus what remains equal the operations.
func TestPairExact(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(8))
	m, err := cs.Alloc(32, 16)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Free()
	bounds := [2]float64{0.5, math.Inf(1)} // x = 1 goes to pair 1
	op := func() {
		cs.AddPairAt(m.Base(), m.Stride(), unsafe.Pointer(&bounds), 2, 1)
		cs.AddFloat64(unsafe.Add(m.Base(), 8), m.Stride(), 1) // pair 0's sum word: float adds only
	}
	drain := func() (n uint64, sum, f float64, split bool) {
		cs.ExclusiveAll(func() {
			for s := range cs.Slots() {
				w := (*[4]uint64)(m.Slot(s))
				c, x := w[2], math.Float64frombits(w[3])
				split = split || float64(c) != x
				w[2], w[3] = 0, 0
				// In the Atomic backend floats are added by
				// compare-and-swap, without the slot: swap them.
				n, sum, f = n+c, sum+x, f+math.Float64frombits(atomic.SwapUint64(&w[1], 0))
			}
		})
		return
	}
	for _, nf := range torture.Each(op) {
		t.Run(nf.Name, func(t *testing.T) {
			// Each churned thread runs op once: the session's report counts
			// them. (A count read after the injectors started missed the
			// ops of threads churned in between: +4 in an 8-CPU VM.)
			sess := torture.Begin(nf.Faults)
			stop := make(chan struct{})
			var got struct {
				n      uint64
				sum, f float64
				splits int
			}
			done := make(chan struct{})
			go func() {
				defer close(done)
				for {
					select {
					case <-stop:
						return
					default:
					}
					n, sum, f, split := drain()
					got.n, got.sum, got.f = got.n+n, got.sum+sum, got.f+f
					if split {
						got.splits++
					}
					time.Sleep(20 * time.Microsecond)
				}
			}()
			ops := hammer(func(w, i int) { op() })
			close(stop)
			<-done
			r := sess.End(ops, 0)
			n, sum, f, split := drain()
			want := float64(ops + int64(r.Faults.Threads))
			if got.n+n != uint64(want) || got.sum+sum != want || got.f+f != want || split || got.splits != 0 {
				t.Errorf("pairs %d (sum %v), floats %v, %d split drains; want %v of each", got.n+n, got.sum+sum, got.f+f, got.splits, want)
			}
			t.Logf("report: %v", r)
		})
	}
}
