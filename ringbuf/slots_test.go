package ringbuf_test

import (
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/gorseq/rseq/internal/cs"
	"github.com/gorseq/rseq/internal/torture"
	"github.com/gorseq/rseq/ringbuf"
)

// Tests of what many slots make possible: one producer thread pinned to
// each CPU, so that every slot is in use at once (with cpu_id slots, slot
// c is CPU c; with mm_cid, threads running at the same time hold distinct
// ids; in the Atomic backend slots are spread by goroutine).

// cpuIDSlots reports whether slots are CPU numbers, so that a thread
// pinned to CPU c pushes to slot c.
func cpuIDSlots() bool { return ringbuf.RSEQ() && cs.Describe().Index == "cpu_id" }

// TestFullRingOnOneCPU: the ring of one CPU is full while the others have
// room. Pushes on the full one fail and count as drops, each exactly once;
// pushes on every other CPU succeed, also while the full CPU keeps
// failing; every value pushed comes back once, from the ring it went to,
// in order.
func TestFullRingOnOneCPU(t *testing.T) {
	cpus := torture.AllowedCPUs()
	r := newRing[uint64](t, 16)
	per := r.Cap()
	nslots := ringbuf.Slots()
	strict := cpuIDSlots() && len(cpus) <= nslots
	pushedTo := make([][]uint64, nslots) // values pushed to each slot, in order
	var mu sync.Mutex
	record := func(s int, v uint64) {
		mu.Lock()
		pushedTo[s] = append(pushedTo[s], v)
		mu.Unlock()
	}
	var failures uint64

	// Fill the first CPU's ring.
	full := -1
	torture.OnCPU(cpus[0], func() {
		for i := 0; full < 0; i++ {
			if i > per*nslots {
				t.Fatalf("%d pushes from one thread filled no ring", i)
			}
			v := value(0, i)
			if s, ok := r.PushSlot(v); ok {
				record(s, v)
			} else {
				full = s
				failures++
			}
		}
	})
	if n := len(pushedTo[full]); n != per {
		t.Fatalf("slot %d reported full holding %d values, capacity %d", full, n, per)
	}
	if strict && full != cpus[0] {
		t.Fatalf("thread pinned to cpu %d filled slot %d (cpu_id slots)", cpus[0], full)
	}

	// Every other CPU pushes per-1 values while the full CPU's thread keeps
	// pushing on its full ring.
	var stop atomic.Bool
	var hammerFails atomic.Uint64
	var wg sync.WaitGroup
	wg.Go(func() {
		torture.OnCPU(cpus[0], func() {
			for i := per; !stop.Load(); i++ {
				v := value(0, i)
				if s, ok := r.PushSlot(v); ok {
					// Moved off the full slot (not with cpu_id slots).
					record(s, v)
				} else {
					if strict && s != full {
						t.Errorf("push on slot %d failed: that ring is not full", s)
					}
					hammerFails.Add(1)
				}
				if i%64 == 0 {
					runtime.Gosched()
				}
			}
		})
	})
	var others sync.WaitGroup
	var otherFails atomic.Uint64
	for p, c := range cpus[1:] {
		others.Go(func() {
			torture.OnCPU(c, func() {
				for i := range per - 1 {
					v := value(p+1, i)
					s, ok := r.PushSlot(v)
					if !ok {
						// Only with cpu_id slots is this thread alone on
						// its slot, which then has room for every push.
						otherFails.Add(1)
						if strict {
							t.Errorf("cpu %d: push on slot %d failed while its ring had room", c, s)
						}
						continue
					}
					if strict && s != c {
						t.Errorf("thread pinned to cpu %d pushed to slot %d (cpu_id slots)", c, s)
					}
					record(s, v)
				}
			})
		})
	}
	others.Wait()
	stop.Store(true)
	wg.Wait()
	failures += hammerFails.Load() + otherFails.Load()
	if got := r.Dropped(); got != failures {
		t.Errorf("Dropped = %d, %d pushes reported false", got, failures)
	}

	// Drain slot by slot: each ring holds what was pushed to it, each
	// producer's values in the order it pushed them.
	byProducer := func(vs []uint64) map[int][]int {
		m := map[int][]int{}
		for _, v := range vs {
			p, i := split(v)
			m[p] = append(m[p], i)
		}
		return m
	}
	total := 0
	for s := range nslots {
		var got []uint64
		for {
			v, ok := r.PopSlot(s)
			if !ok {
				break
			}
			got = append(got, v)
		}
		total += len(got)
		if len(got) != len(pushedTo[s]) {
			t.Errorf("slot %d: popped %d values, pushed %d", s, len(got), len(pushedTo[s]))
			continue
		}
		gotBy, wantBy := byProducer(got), byProducer(pushedTo[s])
		for p, want := range wantBy {
			if !slices.Equal(gotBy[p], want) {
				t.Errorf("slot %d, producer %d: popped %v, pushed %v", s, p, gotBy[p], want)
			}
		}
	}
	if n := r.Len(); n != 0 {
		t.Errorf("Len = %d after the drain", n)
	}
	used := 0
	for _, vs := range pushedTo {
		if len(vs) > 0 {
			used++
		}
	}
	t.Logf("%d CPUs, %d slots (%d used), slot %d full; %d values, %d drops (%d from the full CPU while others pushed)",
		len(cpus), nslots, used, full, total, failures, hammerFails.Load())
}

// TestLenWhileEverySlotMoves: Len sums every slot's ring while a producer
// pinned to each CPU pushes and consumers pop. Len reads the rings one
// after another, so it is approximate, but within bounds: values pushed
// before it started and not popped by the time it ended are counted
// (less the pops in progress), and nothing is counted that was not pushed
// by the time it ended (plus the pushes in progress). At rest it is exact.
// A Len that skipped a slot, or counted one twice, breaks the bounds as
// soon as values sit on every ring.
func TestLenWhileEverySlotMoves(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(max(8, runtime.NumCPU())))
	cpus := torture.AllowedCPUs()
	r := newRing[uint64](t, 64)
	const consumers = 2
	producers := len(cpus)
	var pushed, popped atomic.Int64
	var stop atomic.Bool
	slotUsed := make([]atomic.Bool, ringbuf.Slots())
	var wg sync.WaitGroup
	// Sampling starts once every producer has pushed from its CPU: in a
	// guest whose vCPUs are time-sliced, a pinned producer can otherwise
	// miss the whole sampling window and leave its slot unused.
	var started sync.WaitGroup
	started.Add(producers)
	for p, c := range cpus {
		wg.Go(func() {
			torture.OnCPU(c, func() {
				first := true
				for i := 0; !stop.Load(); i++ {
					if s, ok := r.PushSlot(value(p, i)); ok {
						pushed.Add(1)
						slotUsed[s].Store(true)
						if first {
							first = false
							started.Done()
						}
					} else {
						runtime.Gosched() // full: let the consumers catch up
					}
				}
			})
		})
	}
	for range consumers {
		wg.Go(func() {
			for i := 0; !stop.Load(); i++ {
				if _, ok := r.Pop(); ok {
					popped.Add(1)
				}
				if i%64 == 0 {
					// Pop takes from the consumer's own slot first, so
					// while that ring refills the others are never
					// reached; a pass over every ring now and then lets
					// each producer in. (In the Atomic backend a
					// producer's probe may stay on a ring another fills:
					// without this, started.Wait took minutes in the
					// 8-CPU guest.)
					for range r.Drain {
						popped.Add(1)
					}
				}
				if i%4 == 0 {
					runtime.Gosched() // slower than the producers: rings stay filled
				}
			}
		})
	}
	started.Wait()
	var samples, bad int
	lo, hi := int64(1<<62), int64(0)
	torture.Hammer(1, torture.StressTime(), func(_, _ int) {
		pushedBefore, poppedBefore := pushed.Load(), popped.Load()
		n := int64(r.Len())
		pushedAfter, poppedAfter := pushed.Load(), popped.Load()
		samples++
		lo, hi = min(lo, n), max(hi, n)
		if n < pushedBefore-poppedAfter-consumers || n > pushedAfter-poppedBefore+int64(producers) || n > int64(r.Cap()*ringbuf.Slots()) {
			if bad++; bad <= 5 {
				t.Errorf("Len = %d: pushed %d..%d, popped %d..%d, %d slots of %d", n, pushedBefore, pushedAfter, poppedBefore, poppedAfter, ringbuf.Slots(), r.Cap())
			}
		}
	})
	stop.Store(true)
	wg.Wait()
	if n, want := int64(r.Len()), pushed.Load()-popped.Load(); n != want {
		t.Errorf("Len = %d at rest, pushed - popped = %d", n, want)
	}
	used := 0
	for s := range slotUsed {
		if slotUsed[s].Load() {
			used++
		}
	}
	if cpuIDSlots() && used < min(len(cpus), ringbuf.Slots()) {
		t.Errorf("producers pinned to %d CPUs pushed to %d slots (cpu_id slots)", len(cpus), used)
	}
	t.Logf("%d samples of Len in [%d, %d]; %d pushed, %d popped; %d of %d slots used", samples, lo, hi, pushed.Load(), popped.Load(), used, ringbuf.Slots())
}
