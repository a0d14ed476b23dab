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
					if st == cs.StNoRSEQ {
						// A thread that cannot register (a pure-Go
						// PIE's main thread): its adds take the slow
						// path, and still count in the sum.
						cs.AddInt64(m.Base(), m.Stride(), 1)
						continue
					}
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

// TestCompareOutOfRange: a thread whose index is at or past the slot count
// is on no slot a caller can name, so a compare section (the slot checked
// against the index) must take its slow path rather than report Moved:
// Moved would send every CurrentSlot-and-retry loop (a ring's Push, a
// CmpStore counter) round forever. The test lowers the bound to 1 and runs
// a thread pinned to each CPU at once, each doing compare-and-store
// increments, ring pushes (the ring section's slow path is such a loop)
// and raw compare sections on slot 0; a loop that sees Moved many times in
// a row fails the test instead of hanging it.
func TestCompareOutOfRange(t *testing.T) {
	needCommits(t)
	cpus := torture.AllowedCPUs()
	if len(cpus) < 2 {
		t.Skip("one CPU: every index is 0")
	}
	const bound = 1
	ops := 1000
	if testing.Short() {
		ops = 100
	}
	// A loop that sees Moved this many times in a row is taken to retry
	// forever: a thread that really moves sees Moved once per move.
	const maxMoved = 100000
	m := allocMem(t, 8, 8)
	r := allocMem(t, cs.RingHeader+8*64, 64)
	ring := cs.RingLayout{Base: r.Base(), Stride: r.Stride(), Mask: 63}
	cpuID := cs.Describe().Index == "cpu_id"
	restore := cs.BoundSlots(bound)
	var outside, rawChecked, drained atomic.Int64
	var wg, start sync.WaitGroup
	start.Add(len(cpus))
	for _, c := range cpus {
		wg.Go(func() {
			torture.OnCPU(c, func() {
				start.Done()
				start.Wait()
				for range ops {
					if idx, _ := cs.RawCurrent(); idx >= bound {
						outside.Add(1)
						// The raw compare on slot 0, the only slot in
						// range: no rseq, not Moved (and no store: the
						// count never reaches expect). With mm_cid the
						// id may change in between.
						w := (*uint64)(m.Slot(0))
						if st := cs.RawCmpStore(0, w, 1<<40, 1); st == cs.Moved {
							if idx2, _ := cs.RawCurrent(); idx2 == idx || cpuID {
								t.Errorf("cpu %d, index %d: a compare section on slot 0 returned Moved", c, idx)
								return
							}
						} else if st == cs.StNoRSEQ {
							rawChecked.Add(1)
						}
					}
					moved := 0
					for {
						s := cs.CurrentSlot()
						if s >= bound {
							t.Errorf("cpu %d: CurrentSlot %d at or past the bound %d", c, s, bound)
							return
						}
						w := (*uint64)(m.Slot(s))
						old := atomic.LoadUint64(w)
						st := cs.CmpStore(s, w, old, old+1)
						if st == cs.OK {
							break
						}
						if st == cs.Moved {
							if moved++; moved == maxMoved {
								t.Errorf("cpu %d: CmpStore returned Moved %d times in a row", c, moved)
								return
							}
						}
					}
					// A ring of 64 entries per slot; popped by
					// resetting the tail under Exclusive below.
					for {
						_, st := cs.RingPush(&ring, 1)
						if st == cs.OK {
							break
						}
						// Full: drain slot 0's ring (the only one in range).
						cs.Exclusive(0, func() {
							h := (*[2]uint64)(r.Slot(0))
							drained.Add(int64(h[0] - h[1]))
							h[1] = h[0]
						})
					}
				}
			})
		})
	}
	wg.Wait()
	restore()
	var sum, tails int64
	for s := range cs.Slots() {
		sum += int64(atomic.LoadUint64((*uint64)(m.Slot(s))))
		h := (*[2]uint64)(r.Slot(s))
		tails += int64(h[0] - h[1])
	}
	if want := int64(len(cpus) * ops); sum != want || tails+drained.Load() != want {
		t.Fatalf("%d CmpStore increments and %d ring pushes (%d drained), want %d of each", sum, tails+drained.Load(), drained.Load(), want)
	}
	if cpuID && outside.Load() == 0 {
		t.Fatalf("threads pinned to %d CPUs never saw a cpu_id index at or past %d", len(cpus), bound)
	}
	t.Logf("bound %d of %d slots: %d operations from an index out of range, %d raw compares diverted", bound, cs.Slots(), outside.Load(), rawChecked.Load())
}
