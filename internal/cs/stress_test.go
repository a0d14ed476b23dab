package cs_test

import (
	"math"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"unsafe"

	"github.com/gorseq/rseq/internal/cs"
	"github.com/gorseq/rseq/internal/torture"
)

// Ports of the kernel selftest param_test's invariants over the primitives:
// 6 x CPUs goroutines, GOMAXPROCS above the CPU count, a yield every N-th
// operation, signal storms, migrations and thread churn while they run.

func workers() int { return 6 * runtime.NumCPU() }

// stressTime is how long each stress test hammers. Losses without rseq
// come from involuntary context switches inside a section, which happen at
// scheduler-tick granularity: the run must span hundreds of them, so it is
// measured in time, not operations.
func stressTime() time.Duration {
	return torture.Duration(60*time.Millisecond, 250*time.Millisecond)
}

// hammer runs op on workers() goroutines until stressTime has passed and
// returns how many times op ran. op gets the worker number and its
// iteration count.
func hammer(op func(w, i int)) int64 {
	var total atomic.Int64
	deadline := time.Now().Add(stressTime())
	var wg sync.WaitGroup
	for w := range workers() {
		wg.Go(func() {
			i := 0
			for ; i%256 != 0 || time.Now().Before(deadline); i++ {
				op(w, i)
			}
			total.Add(int64(i))
		})
	}
	wg.Wait()
	return total.Load()
}

func stressFaults(work func()) torture.Faults {
	f := torture.All()
	f.Work = work
	return f
}

// TestIncrement: every AddInt64 is counted exactly once, under each fault
// injector alone and under all of them together.
func TestIncrement(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(8))
	m := allocMem(t, 8, 8)
	churnWork := func() {
		cs.AddInt64(m.Base(), m.Stride(), 1) // the first section of a fresh thread
	}
	var expected int64
	for _, nf := range torture.Each(churnWork) {
		t.Run(nf.Name, func(t *testing.T) {
			// Each churned thread adds once: the session's report counts
			// them. (A count read after the injectors started missed the
			// adds of threads churned in between: 1 run in 8 failed on 8
			// VM CPUs.)
			sess := torture.Begin(nf.Faults)
			ops := hammer(func(w, i int) {
				cs.AddInt64(m.Base(), m.Stride(), 1)
				if i%(997+w) == 0 {
					runtime.Gosched()
				}
			})
			report := sess.End(ops, 0)
			expected += ops + int64(report.Faults.Threads)
			var got int64
			for s := range cs.Slots() {
				got += atomic.LoadInt64((*int64)(m.Slot(s)))
			}
			report.Violations = expected - got
			t.Log(report)
			if got != expected {
				t.Fatalf("sum of slots = %d, want %d (lost %d)", got, expected, expected-got)
			}
		})
	}
}

// TestSpinlock: a per-slot spin lock taken with CmpStore guards a plain
// per-slot count; the counts sum to the number of increments.
func TestSpinlock(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(8))
	type slot struct {
		lock  uint64
		count uint64
	}
	m := allocMem(t, unsafe.Sizeof(slot{}), 64)
	in := torture.Start(torture.All())
	ops := hammer(func(w, i int) {
		var sl *slot
		for {
			s := cs.CurrentSlot()
			sl = (*slot)(m.Slot(s))
			if cs.CmpStore(s, &sl.lock, 0, 1) == cs.OK {
				break
			}
		}
		cs.RaceAcquire(unsafe.Pointer(sl))
		// A plain read-modify-write, widened: only the lock keeps another
		// holder of the same slot from interleaving.
		c := sl.count
		spin(i % 64)
		sl.count = c + 1
		if i%(499+w) == 0 {
			runtime.Gosched() // holding the lock, like param_test's yield injection
		}
		cs.RaceRelease(unsafe.Pointer(sl))
		atomic.StoreUint64(&sl.lock, 0)
	})
	t.Logf("faults: %v", in.Stop())
	var got uint64
	for s := range cs.Slots() {
		got += (*slot)(m.Slot(s)).count
	}
	if want := uint64(ops); got != want {
		t.Fatalf("counts sum to %d, want %d", got, want)
	}
}

// TestListPopPush: the param_test list invariant on the primitives: 100
// nodes per slot valued 1..100, goroutines pop one and push it back on
// their current slot; the final drain finds every node exactly once.
func TestListPopPush(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(8))
	slots := cs.Slots()
	nodes := 100 * slots
	sentinel := uint64(nodes)
	// Per slot: head, then links for every node.
	m := allocMem(t, uintptr(8+8*nodes), 64)
	head := func(s int) *uint64 { return (*uint64)(m.Slot(s)) }
	links := func(s int) unsafe.Pointer { return unsafe.Add(m.Slot(s), 8) }
	link := func(s int, node uint64) *uint64 { return (*uint64)(unsafe.Add(links(s), node*8)) }
	for s := range slots {
		*head(s) = sentinel
		for i := range 100 {
			node := uint64(s*100 + i)
			*link(s, node) = *head(s)
			*head(s) = node
		}
	}
	push := func(node uint64) {
		for {
			s := cs.CurrentSlot()
			old := atomic.LoadUint64(head(s))
			if cs.CmpStoreStore(s, head(s), old, link(s, node), old, node) == cs.OK {
				return
			}
		}
	}
	in := torture.Start(torture.All())
	hammer(func(w, i int) {
		s := cs.CurrentSlot()
		node, st := cs.ListPop(s, head(s), links(s), sentinel)
		if st != cs.OK {
			return // empty, or moved
		}
		if i%(313+w) == 0 {
			runtime.Gosched()
		}
		push(node)
	})
	t.Logf("faults: %v", in.Stop())
	seen := make([]bool, nodes)
	var sum, count int
	for s := range slots {
		for node := *head(s); node != sentinel; node = *link(s, node) {
			if node >= uint64(nodes) || seen[node] {
				t.Fatalf("node %d found twice or out of range", node)
			}
			seen[node] = true
			sum += int(node%100) + 1
			count++
		}
	}
	if count != nodes || sum != 5050*slots {
		t.Fatalf("drained %d nodes summing to %d, want %d summing to %d", count, sum, nodes, 5050*slots)
	}
}

// TestMemcpyCommit: records written with CmpMemcpyStore are never torn.
// Each slot holds a sequence word and two 256-byte records; the writer of
// sequence q+1 fills record (q+1)%2 (the one not published) with the byte
// q+1 and commits the sequence. Readers holding the slot (Exclusive) always
// find the published record whole. Overwriting the published record in
// place would not do: an aborted copy may leave part of its bytes behind.
func TestMemcpyCommit(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(8))
	const size = 256
	m := allocMem(t, 8+2*size, 64)
	record := func(s int, seq uint64) unsafe.Pointer {
		return unsafe.Add(m.Slot(s), 8+size*(seq%2))
	}
	in := torture.Start(torture.All())
	stop := make(chan struct{})
	var torn, checks atomic.Int64
	var rwg sync.WaitGroup
	rwg.Go(func() {
		for {
			select {
			case <-stop:
				return
			default:
			}
			for s := range cs.Slots() {
				cs.Exclusive(s, func() {
					seq := atomic.LoadUint64((*uint64)(m.Slot(s)))
					if seq == 0 {
						return
					}
					for _, b := range unsafe.Slice((*byte)(record(s, seq)), size) {
						if b != byte(seq) {
							torn.Add(1)
							break
						}
					}
					checks.Add(1)
				})
			}
			time.Sleep(20 * time.Microsecond)
		}
	})
	ops := hammer(func(_, _ int) {
		var buf [size]byte
		for {
			s := cs.CurrentSlot()
			w := (*uint64)(m.Slot(s))
			seq := atomic.LoadUint64(w)
			for i := range buf {
				buf[i] = byte(seq + 1)
			}
			if cs.CmpMemcpyStore(s, w, seq, record(s, seq+1), unsafe.Pointer(&buf), size, seq+1) == cs.OK {
				return
			}
		}
	})
	close(stop)
	rwg.Wait()
	t.Logf("faults: %v, %d exclusive checks", in.Stop(), checks.Load())
	var total uint64
	for s := range cs.Slots() {
		total += *(*uint64)(m.Slot(s))
	}
	if want := uint64(ops); total != want || torn.Load() != 0 {
		t.Fatalf("commits %d (want %d), torn records seen %d", total, want, torn.Load())
	}
}

// TestExclusiveRacesFastPath: Exclusive and ExclusiveAll on the slots that
// fast paths are adding to lose nothing.
func TestExclusiveRacesFastPath(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(8))
	m := allocMem(t, 8, 8)
	in := torture.Start(torture.Faults{Signals: true, Migrate: true})
	var ops int64
	var wg sync.WaitGroup
	wg.Go(func() { ops = hammer(func(_, _ int) { cs.AddInt64(m.Base(), m.Stride(), 1) }) })
	// Remote work: adds, moves between slots, and resets that take
	// everything out.
	var taken, added int64
	const rounds = 300
	for i := range rounds {
		s := i % cs.Slots()
		switch i % 3 {
		case 0:
			// Atomic: in the Atomic backend the fast paths add to the
			// same words with atomic instructions.
			cs.Exclusive(s, func() { atomic.AddInt64((*int64)(m.Slot(s)), 5) })
			added += 5
		case 1:
			cs.Exclusive(s, func() {
				w := (*int64)(m.Slot(s))
				to := (*int64)(m.Slot((s + 1) % cs.Slots()))
				if cs.Slots() > 1 {
					// Move the value to the next slot: that slot is not held,
					// so it must be updated as the fast path on it would be
					// raced: only the held slot is written plainly.
					v := atomic.SwapInt64(w, 0)
					cs.Exclusive((s+1)%cs.Slots(), func() { atomic.AddInt64(to, v) })
				}
			})
		case 2:
			cs.ExclusiveAll(func() {
				for s := range cs.Slots() {
					taken += atomic.SwapInt64((*int64)(m.Slot(s)), 0)
				}
			})
		}
	}
	wg.Wait()
	t.Logf("faults: %v", in.Stop())
	var left int64
	for s := range cs.Slots() {
		left += atomic.LoadInt64((*int64)(m.Slot(s)))
	}
	if want := ops + added; taken+left != want {
		t.Fatalf("taken %d + left %d = %d, want %d", taken, left, taken+left, want)
	}
}

// TestThreadChurn: threads that die after their first section leave their
// areas behind, and registration recycles them.
func TestThreadChurn(t *testing.T) {
	m := allocMem(t, 8, 8)
	before := cs.ReadStats()
	const threads = 300
	for range threads {
		done := make(chan struct{})
		go func() {
			runtime.LockOSThread() // exits locked: the thread dies
			cs.AddInt64(m.Base(), m.Stride(), 1)
			close(done)
		}()
		<-done
	}
	var got int64
	for s := range cs.Slots() {
		got += atomic.LoadInt64((*int64)(m.Slot(s)))
	}
	if got != threads {
		t.Fatalf("sum %d, want %d", got, threads)
	}
	after := cs.ReadStats()
	t.Logf("registered %d threads, areas allocated %d", after.Registered-before.Registered, after.Areas-before.Areas)
	if cs.Describe().Registration == "go" {
		if after.Registered-before.Registered < threads/2 {
			t.Fatalf("only %d of %d fresh threads registered", after.Registered-before.Registered, threads)
		}
		// Without recycling every dead thread would cost an area: 300
		// threads need 5 pages of 64 areas; with it, the live ones fit in
		// far fewer.
		if grew := after.Areas - before.Areas; grew >= threads {
			t.Fatalf("%d areas allocated for %d short-lived threads: areas of dead threads are not recycled", grew, threads)
		}
	}
}

// TestStoppedSlotDiverts: a section on a stopped slot stores nothing and
// reports it, and the public call waits for the slot and then commits.
//
// The test's thread and the second goroutine's thread are pinned to one
// CPU, so that the second reaches the stopped slot at once: with cpu_id
// slots the slot is that CPU; with mm_cid slots the kernel hands the CPU's
// concurrency id to the thread of the process that runs there next (the
// test's thread sleeps meanwhile). Without pinning, the second thread
// waited for the scheduler to happen to put it there: 0.1 to 39 s with 8
// cpu_id slots in a VM.
func TestStoppedSlotDiverts(t *testing.T) {
	needCommits(t)
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	cpu := -1
	// The last CPU where the thread's index is in range (with fewer slots
	// than CPUs, the rseqslots build, it need not be).
	cpus := torture.AllowedCPUs()
	for i := len(cpus) - 1; i >= 0; i-- {
		unpin, err := torture.Pin(cpus[i])
		if err != nil {
			t.Fatal(err)
		}
		defer unpin()
		cpu = cpus[i]
		if s, _ := cs.RawCurrent(); s < cs.Slots() {
			break
		}
	}
	m := allocMem(t, 8, 8)
	for try := range 1000 {
		s, _ := cs.RawCurrent()
		if try == 0 && cpu >= 0 && cs.Describe().Index == "cpu_id" && s != cpu {
			t.Fatalf("pinned to cpu %d, the slot is %d: cpu_id slots are CPU numbers", cpu, s)
		}
		if s >= cs.Slots() {
			time.Sleep(time.Millisecond) // an mm_cid out of range: another may come
			continue
		}
		w := (*uint64)(m.Slot(s))
		cs.LockSlot(s)
		st := cs.RawCmpStore(s, w, 0, 1)
		if st == cs.Moved {
			cs.UnlockSlot(s)
			continue
		}
		if st != cs.StStopped || *w != 0 {
			cs.UnlockSlot(s)
			t.Fatalf("section on a stopped slot: %v, word %d", st, *w)
		}
		if st := cs.RawAdd(m.Base(), m.Stride(), 1); st != cs.StStopped && st != cs.OK {
			cs.UnlockSlot(s)
			t.Fatalf("add on a stopped slot: %v", st)
		} else if st == cs.OK {
			cs.UnlockSlot(s)
			continue // moved to another slot in between
		}
		// Another goroutine's CmpStore on s must wait for the slot; it
		// retries while it runs on another slot (Moved). Pinned to the
		// same CPU, with cpu_id slots it is on s; with mm_cid it may hold
		// another id for minutes (seen in an 8-CPU guest: 1.3 million
		// retries, 164 s), so once the slot is released it stops at its
		// next Moved.
		done := make(chan cs.Status)
		var moved atomic.Int64
		var released atomic.Bool
		cpuID := cs.Describe().Index == "cpu_id"
		go func() {
			runtime.LockOSThread() // never unlocked: the pinned thread exits with the goroutine
			if cpu >= 0 {
				if _, err := torture.Pin(cpu); err != nil {
					t.Error(err)
				}
			}
			for {
				if st := cs.CmpStore(s, w, 0, 1); st != cs.Moved || (released.Load() && !cpuID) {
					done <- st
					return
				}
				moved.Add(1)
				runtime.Gosched()
			}
		}()
		select {
		case st := <-done:
			cs.UnlockSlot(s)
			t.Fatalf("CmpStore returned %v while the slot was stopped", st)
		case <-time.After(10 * time.Millisecond):
		}
		cs.UnlockSlot(s)
		released.Store(true)
		if st := <-done; st != cs.OK && (st != cs.Moved || cpuID) {
			t.Fatalf("CmpStore after the slot was released: %v", st)
		}
		t.Logf("slot %d on cpu %d (%s): the second thread was elsewhere %d times first", s, cpu, cs.Describe().Index, moved.Load())
		return
	}
	t.Fatal("moved 1000 times in a row")
}

var spinSink atomic.Uint64

// spin burns about n short steps of CPU time.
func spin(n int) {
	var x uint64
	for i := range n {
		x += uint64(i) * 0x9e3779b97f4a7c15
	}
	spinSink.Store(x)
}

func contains(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return true
		}
	}
	return false
}

// Primitives given a slot out of range panic, naming it, in every backend.
func TestSlotRangeChecked(t *testing.T) {
	var w uint64
	for _, slot := range []int{-1, cs.Slots(), math.MaxInt} {
		for name, f := range map[string]func(){
			"CmpStore":      func() { cs.CmpStore(slot, &w, 0, 1) },
			"CmpStoreStore": func() { cs.CmpStoreStore(slot, &w, 0, &w, 1, 1) },
			"CmpMemcpyStore": func() {
				cs.CmpMemcpyStore(slot, &w, 0, unsafe.Pointer(&w), unsafe.Pointer(&w), 8, 1)
			},
			"ListPop": func() { cs.ListPop(slot, &w, unsafe.Pointer(&w), 1) },
		} {
			func() {
				defer func() {
					r, _ := recover().(string)
					if !contains(r, "out of range") || !contains(r, "slot") {
						t.Errorf("%s(slot %d): recovered %q, want a panic naming the slot", name, slot, r)
					}
				}()
				f()
			}()
		}
	}
	defer func() {
		r, _ := recover().(string)
		if !contains(r, "n 4097 exceeds MaxMemcpy 4096") {
			t.Errorf("CmpMemcpyStore of 4097 bytes: recovered %q", r)
		}
	}()
	cs.CmpMemcpyStore(0, &w, 0, unsafe.Pointer(&w), unsafe.Pointer(&w), cs.MaxMemcpy+1, 1)
}
