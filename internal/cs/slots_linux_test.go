//go:build gc && !purego && (amd64 || arm64)

package cs_test

import (
	"sync"
	"sync/atomic"
	"testing"

	"github.com/gorseq/rseq/internal/cs"
	"github.com/gorseq/rseq/internal/torture"
)

// TestSlotIndexOutOfRange: a thread whose slot index is at or past the
// slot count (a kernel with more CPUs than it said, or an mm_cid above the
// slots) stores nothing from a section: the section on the current slot
// reports no rseq and AddInt64 takes the slow path, so the add lands once,
// on a slot in range. The test lowers the sections' bound to 1 and runs a
// thread pinned to each CPU at once, so that some index is out of range
// (every CPU but 0 with cpu_id slots; with mm_cid, the ids of threads
// running at the same time are distinct).
func TestSlotIndexOutOfRange(t *testing.T) {
	needCommits(t)
	cpus := torture.AllowedCPUs()
	if len(cpus) < 2 {
		t.Skip("one CPU: every index is 0")
	}
	m := allocMem(t, 8, 8)
	sum := func() (n int64) {
		for s := range cs.Slots() {
			n += atomic.LoadInt64((*int64)(m.Slot(s)))
		}
		return n
	}
	// Every add from an index out of range is a fenced slow path: in a VM
	// with mm_cid slots (the fence interrupts every CPU) milliseconds each.
	const bound = 1
	adds := 2000
	if testing.Short() {
		adds = 200
	}
	cpuID := cs.Describe().Index == "cpu_id"
	restore := cs.BoundSlots(bound)
	var outside, rawChecked atomic.Int64
	var wg sync.WaitGroup
	var start sync.WaitGroup
	start.Add(len(cpus))
	for _, c := range cpus {
		wg.Go(func() {
			torture.OnCPU(c, func() {
				start.Done()
				start.Wait() // every thread running at once
				for range adds {
					idx, st := cs.RawCurrent()
					if st != cs.OK {
						t.Errorf("cpu %d: no slot index (%v)", c, st)
						return
					}
					if s := cs.CurrentSlot(); s < 0 || s >= cs.Slots() {
						t.Errorf("cpu %d: CurrentSlot %d out of range [0, %d)", c, s, cs.Slots())
					}
					if idx >= bound {
						outside.Add(1)
						// The raw section on the current slot: out of
						// range, it must divert before its store. With
						// cpu_id slots the pinned thread cannot move, so
						// a commit is a section that ignored the bound;
						// with mm_cid the id may change in between (the
						// commit is then counted in the sum below).
						if st := cs.RawAdd(m.Base(), m.Stride(), 1); st == cs.OK {
							if cpuID {
								t.Errorf("cpu %d, index %d: raw add committed on an index out of range", c, idx)
							}
							continue
						} else if st != cs.StNoRSEQ && st != cs.StAborted {
							t.Errorf("cpu %d, index %d: raw add returned %v", c, idx, st)
						}
						rawChecked.Add(1)
					}
					cs.AddInt64(m.Base(), m.Stride(), 1)
				}
			})
		})
	}
	wg.Wait()
	restore()
	if got, want := sum(), int64(len(cpus)*adds); got != want {
		t.Fatalf("slots sum to %d after %d adds: an add on an index out of range was lost or doubled", got, want)
	}
	if cpuID && outside.Load() == 0 {
		t.Fatalf("threads pinned to %d CPUs never saw a cpu_id index at or past %d", len(cpus), bound)
	}
	t.Logf("bound %d of %d slots: %d adds from an index out of range, %d raw sections diverted", bound, cs.Slots(), outside.Load(), rawChecked.Load())
}
