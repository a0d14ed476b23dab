package list_test

import (
	"math/rand/v2"
	"runtime"
	"strconv"
	"sync/atomic"
	"testing"

	"github.com/gorseq/rseq/internal/cs"
	"github.com/gorseq/rseq/internal/torture"
	"github.com/gorseq/rseq/list"
)

func TestNewPerCPUCapacity(t *testing.T) {
	testBadCapacity(t, "NewPerCPU", list.NewPerCPU[int])
	for _, c := range []int{1, 2, 3, 1000} {
		if _, err := list.NewPerCPU[string](c); err != nil {
			t.Fatalf("NewPerCPU(%d): %v", c, err)
		}
	}
}

// TestPerCPUFull: the capacity is shared by the CPUs. One goroutine can
// fill all of it, taking free nodes from other CPUs when its own run out,
// and not one value more.
func TestPerCPUFull(t *testing.T) {
	for _, c := range []int{1, 2, 7, 100 * cs.Slots()} {
		l, err := list.NewPerCPU[*int](c)
		if err != nil {
			t.Fatal(err)
		}
		want := 0
		for i := range c {
			v := i + 1
			if !l.Push(&v) {
				t.Fatalf("capacity %d: Push %d of %d failed", c, i+1, c)
			}
			want += v
		}
		extra := 0
		if l.Push(&extra) {
			t.Fatalf("capacity %d: Push succeeded on a full list", c)
		}
		if n := l.Len(); n != c {
			t.Fatalf("capacity %d: Len = %d when full", c, n)
		}
		got := 0
		for range c {
			p, ok := l.Pop()
			if !ok {
				t.Fatalf("capacity %d: Pop failed with values left", c)
			}
			got += *p
		}
		if got != want {
			t.Fatalf("capacity %d: popped values sum to %d, want %d", c, got, want)
		}
		if p, ok := l.Pop(); ok || p != nil {
			t.Fatalf("capacity %d: Pop on an empty list = %v, %v", c, p, ok)
		}
		if n := l.Len(); n != 0 {
			t.Fatalf("capacity %d: Len = %d when empty", c, n)
		}
		t.Logf("capacity %d: %d steals of values, %d of free nodes", c, l.Steals(), l.FreeSteals())
	}
}

// TestPerCPUSteal: values pushed on one CPU's list come back from Pop on
// any CPU: Pop takes them from the other CPU's list when its own is empty.
// The test fills each slot in turn and drains from wherever it runs, until
// it has seen a steal (any slot other than the current one forces one).
func TestPerCPUSteal(t *testing.T) {
	slots := cs.Slots()
	l, err := list.NewPerCPU[int](100 * slots)
	if err != nil {
		t.Fatal(err)
	}
	for round := 0; round < 100 && (round == 0 || l.Steals() == 0); round++ {
		for s := range slots {
			for v := 1; v <= 100; v++ {
				if !l.PushSlot(s, v) {
					t.Fatalf("PushSlot(%d, %d) failed", s, v)
				}
			}
			if lens := l.SlotLens(); lens[s] != 100 {
				t.Fatalf("slot lengths %v after filling slot %d", lens, s)
			}
			sum, n := 0, 0
			for {
				v, ok := l.Pop()
				if !ok {
					break
				}
				sum += v
				n++
			}
			if n != 100 || sum != 5050 {
				t.Fatalf("slot %d: drained %d values summing to %d, want 100 and 5050", s, n, sum)
			}
		}
	}
	if slots > 1 && l.Steals() == 0 {
		t.Fatalf("no steal in 100 rounds over %d slots", slots)
	}
	t.Logf("%d slots, %d steals", slots, l.Steals())
}

// TestPerCPUModel runs random Pushes and Pops from one goroutine against a
// multiset: every value pushed comes out exactly once.
func TestPerCPUModel(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, c := range []int{1, 5, 64} {
		l, err := list.NewPerCPU[string](c)
		if err != nil {
			t.Fatal(err)
		}
		model := map[string]int{}
		size := 0
		for i := range 20000 {
			if r.IntN(2) == 0 {
				v := strconv.Itoa(r.IntN(50))
				ok := l.Push(v)
				if ok != (size < c) {
					t.Fatalf("capacity %d, op %d: Push = %v with %d values", c, i, ok, size)
				}
				if ok {
					model[v]++
					size++
				}
			} else {
				v, ok := l.Pop()
				if ok != (size > 0) {
					t.Fatalf("capacity %d, op %d: Pop ok = %v with %d values", c, i, ok, size)
				}
				if ok {
					if model[v] == 0 {
						t.Fatalf("capacity %d, op %d: Pop returned %q, which is not in the list", c, i, v)
					}
					model[v]--
					size--
				}
			}
			if i%1000 == 0 && l.Len() != size {
				t.Fatalf("capacity %d, op %d: Len = %d, want %d", c, i, l.Len(), size)
			}
		}
	}
}

// TestPerCPULIFO: with the goroutine on one slot, the list is a stack. In
// the RSEQ backend the goroutine may move between two calls, so the test
// keeps the runs that stayed on one slot; its thread is pinned to one CPU,
// so that with cpu_id slots it cannot move away and back within a run
// (which the slot checks around it would not see).
func TestPerCPULIFO(t *testing.T) {
	l, err := list.NewPerCPU[int](64)
	if err != nil {
		t.Fatal(err)
	}
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	if cpus := torture.AllowedCPUs(); len(cpus) > 0 {
		if unpin, err := torture.Pin(cpus[len(cpus)-1]); err == nil {
			defer unpin()
		}
	}
	checked := 0
	for range 1000 {
		s := cs.CurrentSlot()
		l.Push(1)
		l.Push(2)
		a, _ := l.Pop()
		b, _ := l.Pop()
		if cs.CurrentSlot() != s {
			continue
		}
		checked++
		if a != 2 || b != 1 {
			t.Fatalf("pushed 1, 2 and popped %d, %d", a, b)
		}
	}
	if checked == 0 {
		t.Fatal("the goroutine never stayed on one slot")
	}
}

// TestPerCPUNoAlloc: Push and Pop allocate nothing, for a T with pointers
// and for one without (whose Pop is one section on amd64).
func TestPerCPUNoAlloc(t *testing.T) {
	t.Run("pointer", func(t *testing.T) { testPerCPUNoAlloc(t, new(int)) })
	t.Run("flat", func(t *testing.T) { testPerCPUNoAlloc(t, [3]int64{1, 2, 3}) })
}

func testPerCPUNoAlloc[T any](t *testing.T, v T) {
	if cs.RaceEnabled {
		t.Skip("the race detector allocates")
	}
	l, err := list.NewPerCPU[T](16)
	if err != nil {
		t.Fatal(err)
	}
	if n := testing.AllocsPerRun(1000, func() {
		l.Push(v)
		l.Pop()
	}); n != 0 {
		t.Errorf("Push+Pop allocates %v times", n)
	}
	// The slow paths too: Pop on an empty list, Push on a full one.
	for l.Push(v) {
	}
	if n := testing.AllocsPerRun(100, func() {
		l.Push(v)
		for {
			if _, ok := l.Pop(); !ok {
				break
			}
		}
		l.Pop()
		for l.Push(v) {
		}
	}); n != 0 {
		t.Errorf("steals, full and empty lists allocate %v times per run", n)
	}
}

// TestPerCPUStress is the kernel selftest's list test: every slot's list
// starts with the values 1 to 100; 6 x CPUs goroutines pop a value and push
// it back, with GOMAXPROCS above the CPU count, yields and sleeps, under
// each fault injector of internal/torture alone and all together (churned
// threads pop and push too); after each run the lists hold each value once
// per slot, and the sum is 5050 x slots.
func TestPerCPUStress(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(8))
	slots := cs.Slots()
	// Each subtest gets a fresh list, so that a broken one fails alone.
	var lp atomic.Pointer[list.PerCPU[*int]]
	fresh := func(t *testing.T) {
		l, err := list.NewPerCPU[*int](100 * slots)
		if err != nil {
			t.Fatal(err)
		}
		for s := range slots {
			for v := 1; v <= 100; v++ {
				if !l.PushSlot(s, &v) {
					t.Fatalf("PushSlot(%d, %d) failed", s, v)
				}
			}
		}
		lp.Store(l)
	}
	fresh(t)
	// Failures seen on workers and churned threads go to the running
	// subtest (to t before the first one starts).
	var failures atomic.Int64
	var cur atomic.Pointer[testing.T]
	cur.Store(t)
	fail := func(format string, args ...any) {
		if failures.Add(1) <= 10 {
			cur.Load().Errorf(format, args...)
		}
	}
	// push pushes a popped value back: with the value in hand, a free
	// node exists, so a false Push is a failure (the list's contract).
	push := func(l *list.PerCPU[*int], p *int) {
		if !l.Push(p) {
			fail("Push of a popped value %d returned false below capacity", *p)
		}
	}
	popPush := func() {
		l := lp.Load()
		if p, ok := l.Pop(); ok {
			push(l, p)
		}
	}
	torture.Stress(t, popPush, func(t *testing.T) (int64, func() int64) {
		cur.Store(t)
		l := lp.Load()
		ops := torture.Hammer(torture.Workers(), torture.StressTime(), func(_, i int) {
			p, ok := l.Pop()
			if !ok {
				return // every value is in flight in other goroutines
			}
			if p == nil || *p < 1 || *p > 100 {
				fail("popped %s, not a value in 1..100", show(p))
				return
			}
			disturb(i)
			push(l, p)
			if i%256 == 0 {
				// A cleaner pass among the pops and pushes: it must clear
				// free nodes only (a cleared value in use pops as nil).
				l.Clean()
			}
		})
		return ops, func() int64 {
			bad := failures.Swap(0)
			if n := l.Len(); n != 100*slots {
				t.Errorf("Len = %d after the run, want %d", n, 100*slots)
				bad++
			}
			// Drain, at most twice what the lists should hold: a broken
			// list may hand out nodes forever.
			counts := make([]int, 101)
			sum, n, odd := 0, 0, 0
			for range 2 * 100 * slots {
				p, ok := l.Pop()
				if !ok {
					break
				}
				if p == nil || *p < 1 || *p > 100 {
					if odd++; odd <= 5 {
						t.Errorf("drained %s, not a value in 1..100", show(p))
					}
					continue
				}
				counts[*p]++
				sum += *p
				n++
			}
			bad += int64(odd)
			for v := 1; v <= 100; v++ {
				if counts[v] != slots {
					t.Errorf("value %d drained %d times, want %d", v, counts[v], slots)
					bad++
				}
			}
			if sum != 5050*slots || n != 100*slots {
				t.Errorf("drained %d values summing to %d, want %d and %d", n, sum, 100*slots, 5050*slots)
				bad++
			}
			t.Logf("%d steals of values, %d of free nodes", l.Steals(), l.FreeSteals())
			fresh(t) // for the next subtest
			return bad
		}
	})
}

// show formats a popped pointer, nil included.
func show(p *int) string {
	if p == nil {
		return "nil (a node given out twice?)"
	}
	return strconv.Itoa(*p)
}
