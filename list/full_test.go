package list_test

import (
	"runtime"
	"sync/atomic"
	"testing"

	"github.com/gorseq/rseq/internal/torture"
	"github.com/gorseq/rseq/list"
)

// holders is the goroutine count of the "full list" scenarios: more than
// any machine's CPUs here, so that steals run while others hold values.
const holders = 48

// TestPerCPUPushBelowCapacity is the scenario of a new user: a PerCPU of
// capacity n is filled with n values; 48 goroutines each Pop a value and
// Push the same value back, under each injector. A goroutine that just
// popped a value holds it, so a free node exists: its Push must succeed.
// With n above the number of holders, at every instant some value is in the
// list, so Pop must succeed too. Neither is retried: a false is a failure.
func TestPerCPUPushBelowCapacity(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(8))
	const n = holders + 16
	var lp atomic.Pointer[list.PerCPU[int]]
	fresh := func(t *testing.T) {
		l, err := list.NewPerCPU[int](n)
		if err != nil {
			t.Fatal(err)
		}
		for v := range n {
			if !l.Push(v) {
				t.Fatalf("filling: Push %d of %d failed", v+1, n)
			}
		}
		lp.Store(l)
	}
	fresh(t)
	var pushFails, popFails, bad atomic.Int64
	var cur atomic.Pointer[testing.T]
	cur.Store(t)
	popPush := func() {
		l := lp.Load()
		if v, ok := l.Pop(); ok {
			if !l.Push(v) {
				pushFails.Add(1)
			}
		}
	}
	torture.Stress(t, popPush, func(t *testing.T) (int64, func() int64) {
		cur.Store(t)
		l := lp.Load()
		ops := torture.Hammer(holders, torture.StressTime(), func(_, i int) {
			v, ok := l.Pop()
			if !ok {
				popFails.Add(1)
				return
			}
			if v < 0 || v >= n {
				bad.Add(1)
				return
			}
			disturb(i)
			if !l.Push(v) {
				pushFails.Add(1)
				// Keep the value (the failure is counted): later Pops
				// then test the contract, not a lost value.
				for try := 0; !l.Push(v) && try < 1_000_000; try++ {
					runtime.Gosched()
				}
			}
		})
		return ops, func() int64 {
			violations := bad.Swap(0)
			if f := pushFails.Swap(0); f != 0 {
				t.Errorf("%d Pushes of a just-popped value returned false (the list was below capacity)", f)
				violations += f
			}
			if f := popFails.Swap(0); f != 0 {
				t.Errorf("%d Pops returned false with at least %d of %d values in the list", f, n-holders, n)
				violations += f
			}
			seen := make([]int, n)
			for range 2 * n {
				v, ok := l.Pop()
				if !ok {
					break
				}
				if v >= 0 && v < n {
					seen[v]++
				}
			}
			for v, c := range seen {
				if c != 1 {
					t.Errorf("value %d drained %d times, want once", v, c)
					violations++
				}
			}
			t.Logf("%d steals of values, %d of free nodes", l.Steals(), l.FreeSteals())
			fresh(t)
			return violations
		}
	})
}
