package counter_test

import (
	"sync"
	"sync/atomic"
	"testing"

	"github.com/gorseq/rseq/counter"
	"github.com/gorseq/rseq/internal/torture"
)

// TestResetEverySlot: one adder pinned to each CPU, so that every slot
// takes adds at once (with cpu_id slots, slot c is CPU c), while Reset,
// Load and an Array's Reset run against them: nothing is lost or counted
// twice, whatever the slot count.
func TestResetEverySlot(t *testing.T) {
	cpus := torture.AllowedCPUs()
	c := counter.New()
	const n = 3
	a, err := counter.NewArray(n)
	if err != nil {
		t.Fatal(err)
	}
	var stop atomic.Bool
	added := make([]int64, len(cpus))
	addedTo := make([][n]int64, len(cpus))
	var adders sync.WaitGroup
	for i, cpu := range cpus {
		adders.Go(func() {
			torture.OnCPU(cpu, func() {
				for k := int64(1); !stop.Load(); k++ {
					d := k%7 - 2
					c.Add(d)
					a.Add(int(k%n), d)
					added[i] += d
					addedTo[i][k%n] += d
				}
			})
		})
	}
	var resets int
	var reset int64
	var resetTo [n]int64
	torture.Hammer(1, torture.StressTime(), func(_, k int) {
		reset += c.Reset()
		resetTo[k%n] += a.Reset(k % n)
		c.Load()
		a.Load((k + 1) % n)
		resets++
	})
	stop.Store(true)
	adders.Wait()
	var want int64
	for _, d := range added {
		want += d
	}
	if got := reset + c.Load(); got != want {
		t.Errorf("counter: resets %d + final Load %d = %d, want the sum of all Adds %d", reset, c.Load(), got, want)
	}
	for e := range n {
		var want int64
		for i := range cpus {
			want += addedTo[i][e]
		}
		if got := resetTo[e] + a.Load(e); got != want {
			t.Errorf("array element %d: resets %d + final Load %d = %d, want %d", e, resetTo[e], a.Load(e), got, want)
		}
	}
	t.Logf("%d adders pinned one per CPU, %d resets and loads of each (Counter and Array)", len(cpus), resets)
}
