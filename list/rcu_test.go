package list_test

import (
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorseq/rseq/internal/torture"
	"github.com/gorseq/rseq/list"
)

// settle gives a goroutine that is wrongly not blocked time to finish:
// tests check that something has NOT happened after it, never that
// something happened within it.
const settle = 20 * time.Millisecond

// TestSynchronizeNoReaders: with no section open, Synchronize returns, many
// times over (each call flips nothing or one period).
func TestSynchronizeNoReaders(t *testing.T) {
	d := list.NewRCU()
	for range 100 {
		d.Synchronize()
	}
	tok := d.ReadLock()
	d.ReadUnlock(tok)
	d.Synchronize()
}

// startSynchronize calls d.Synchronize on a new goroutine and returns a
// channel closed when it returns.
func startSynchronize(d *list.RCU) <-chan struct{} {
	done := make(chan struct{})
	go func() {
		d.Synchronize()
		close(done)
	}()
	return done
}

// closed reports whether ch is closed (it is never sent on).
func closed(ch <-chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}

// TestSynchronizeWaitsForReader: a section that began before Synchronize
// keeps it waiting, in either period, and releases it when it ends, on the
// goroutine that began it or another one.
func TestSynchronizeWaitsForReader(t *testing.T) {
	d := list.NewRCU()
	for i := range 4 {
		tok := d.ReadLock()
		done := startSynchronize(d)
		time.Sleep(settle)
		if closed(done) {
			t.Fatalf("round %d: Synchronize returned while a section that began before it was open", i)
		}
		if i%2 == 0 {
			d.ReadUnlock(tok)
		} else {
			go d.ReadUnlock(tok) // a section may end on another goroutine
		}
		<-done
	}
}

// TestSynchronizeNested: nested sections each count; Synchronize waits for
// the outer one.
func TestSynchronizeNested(t *testing.T) {
	d := list.NewRCU()
	outer := d.ReadLock()
	inner := d.ReadLock()
	done := startSynchronize(d)
	d.ReadUnlock(inner)
	time.Sleep(settle)
	if closed(done) {
		t.Fatal("Synchronize returned while the outer section was open")
	}
	d.ReadUnlock(outer)
	<-done
}

// TestSynchronizeOverlappingReaders: readers that keep at least one section
// open at every instant, each section short, do not keep Synchronize
// waiting forever: the period flip leaves the new sections out.
func TestSynchronizeOverlappingReaders(t *testing.T) {
	d := list.NewRCU()
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var relay sync.Mutex // hands the baton from one reader to the next
	open := d.ReadLock()
	for range 2 {
		wg.Go(func() {
			for {
				select {
				case <-stop:
					return
				default:
				}
				relay.Lock()
				next := d.ReadLock() // begin before the previous one ends
				d.ReadUnlock(open)
				open = next
				relay.Unlock()
				time.Sleep(50 * time.Microsecond)
			}
		})
	}
	for range 5 {
		d.Synchronize()
	}
	close(stop)
	wg.Wait()
	d.ReadUnlock(open)
}

// TestCallWaitsForReader: a callback does not run while a section that
// began before its Call is open; Barrier returns after it ran.
func TestCallWaitsForReader(t *testing.T) {
	d := list.NewRCU()
	defer d.Close()
	tok := d.ReadLock()
	var ran atomic.Bool
	d.Call(func() { ran.Store(true) })
	time.Sleep(settle)
	if ran.Load() {
		t.Fatal("a callback ran while a section that began before its Call was open")
	}
	d.ReadUnlock(tok)
	d.Barrier()
	if !ran.Load() {
		t.Fatal("Barrier returned before the callback ran")
	}
}

// TestCallOrder: callbacks run one at a time, in the order of their Calls,
// including Calls made by callbacks; Barrier waits for every earlier Call.
func TestCallOrder(t *testing.T) {
	d := list.NewRCU()
	defer d.Close()
	var got []int // written by callbacks only, which run one at a time
	const n = 1000
	for i := range n {
		d.Call(func() { got = append(got, i) })
		if i%100 == 99 {
			d.Barrier()
			if len(got) != i+1 {
				t.Fatalf("after Barrier, %d callbacks of %d ran", len(got), i+1)
			}
		}
	}
	d.Barrier()
	for i, v := range got {
		if v != i {
			t.Fatalf("callback %d ran in position %d", v, i)
		}
	}
	// A callback that calls Call: the new one runs later, after a grace
	// period of its own.
	var order []string
	tok := d.ReadLock() // holds both callbacks back until both are queued
	d.Call(func() {
		order = append(order, "outer")
		d.Call(func() { order = append(order, "inner") })
	})
	d.Call(func() { order = append(order, "second") })
	d.ReadUnlock(tok)
	d.Barrier() // waits for outer and second; inner was queued after Barrier began
	d.Barrier()
	if len(order) != 3 || order[0] != "outer" || order[1] != "second" || order[2] != "inner" {
		t.Fatalf("order %v, want [outer second inner]", order)
	}
}

// TestCallConcurrent: Calls from many goroutines each run once, in each
// goroutine's order.
func TestCallConcurrent(t *testing.T) {
	d := list.NewRCU()
	defer d.Close()
	const g, per = 8, 500
	last := make([]int, g) // written by callbacks only
	var bad atomic.Int64
	var wg sync.WaitGroup
	for w := range g {
		wg.Go(func() {
			for i := 1; i <= per; i++ {
				d.Call(func() {
					if last[w] != i-1 {
						bad.Add(1)
					}
					last[w] = i
				})
				if i%50 == 0 {
					tok := d.ReadLock()
					runtime.Gosched()
					d.ReadUnlock(tok)
				}
			}
		})
	}
	wg.Wait()
	d.Barrier()
	if bad.Load() != 0 {
		t.Fatalf("%d callbacks ran out of their goroutine's order", bad.Load())
	}
	for w, v := range last {
		if v != per {
			t.Fatalf("goroutine %d: last callback run %d, want %d", w, v, per)
		}
	}
}

// TestBarrierEmpty: Barrier with nothing queued returns at once, before and
// after Close.
func TestBarrierEmpty(t *testing.T) {
	d := list.NewRCU()
	d.Barrier()
	d.Close()
	d.Barrier()
}

// TestClose: Close runs what is queued and stops the goroutine; the domain
// stays usable and a later Call starts a new one.
func TestClose(t *testing.T) {
	before := list.CallbackGoroutines()
	d := list.NewRCU()
	d.Close() // nothing started yet
	for round := range 3 {
		ran := 0
		for range 10 {
			d.Call(func() { ran++ })
		}
		d.Close()
		if ran != 10 {
			t.Fatalf("round %d: Close returned with %d of 10 callbacks run", round, ran)
		}
		if n := list.CallbackGoroutines(); n != before {
			t.Fatalf("round %d: %d callback goroutines after Close, want %d", round, n, before)
		}
	}
	d.Close()
}

// TestUnreachableDomain: a domain dropped without Close stops its
// goroutine once collected, and runs what was still queued.
func TestUnreachableDomain(t *testing.T) {
	before := list.CallbackGoroutines()
	ran := make(chan struct{}, 2)
	func() {
		d := list.NewRCU()
		d.Call(func() { ran <- struct{}{} })
		d.Barrier()
		d.Call(func() { ran <- struct{}{} }) // maybe still queued when d is dropped
	}()
	for i := 0; list.CallbackGoroutines() > before; i++ {
		if i == 1000 {
			t.Fatalf("%d callback goroutines after 1000 collections, want %d", list.CallbackGoroutines(), before)
		}
		runtime.GC()
		time.Sleep(time.Millisecond)
	}
	<-ran
	<-ran
}

func TestCallNilPanics(t *testing.T) {
	d := list.NewRCU()
	defer func() {
		if recover() == nil {
			t.Fatal("Call(nil) did not panic")
		}
	}()
	d.Call(nil)
}

// payload is a recycled value: the writers of the stress tests take
// payloads from a pool, and put them back after a grace period, poisoned
// first. Its fields are plain: a reader that reads one while it is
// recycled is a data race the race detector reports, and a poisoned or
// torn value the reader itself detects.
type payload struct {
	a, b int // equal while the payload is published
}

const poison = -1

type payloadPool struct {
	mu   sync.Mutex
	free []*payload
}

func (p *payloadPool) get(v int) *payload {
	p.mu.Lock()
	var x *payload
	if n := len(p.free); n > 0 {
		x = p.free[n-1]
		p.free = p.free[:n-1]
	}
	p.mu.Unlock()
	if x == nil {
		x = new(payload)
	}
	x.a, x.b = v, v
	return x
}

// recycle poisons x and returns it to the pool. Only call it when no
// reader can still hold x.
func (p *payloadPool) recycle(x *payload) {
	x.a, x.b = poison, poison
	p.mu.Lock()
	p.free = append(p.free, x)
	p.mu.Unlock()
}

// readers starts n goroutines that traverse l until stop is closed and
// check every payload they see, twice, with a yield between the reads now
// and then. It returns a function that waits for them and returns the
// number of payloads checked and of recycled ones seen.
func readers(t *testing.T, l *list.List[*payload], n int, stop chan struct{}) func() (seen, recycled int64) {
	var wg sync.WaitGroup
	var seen, bad atomic.Int64
	for r := range n {
		torture.Loop(&wg, stop, func(i int) {
			k := 0
			for x := range l.All() {
				a, b := x.a, x.b
				if k%7 == r%7 {
					disturb(i + k)
				}
				if a == poison || a != b || x.a != a || x.b != b {
					if bad.Add(1) <= 5 {
						t.Errorf("reader saw a recycled payload: a=%d b=%d, then a=%d b=%d", a, b, x.a, x.b)
					}
				}
				k++
			}
			seen.Add(int64(k))
		})
	}
	return func() (int64, int64) { wg.Wait(); return seen.Load(), bad.Load() }
}

// TestRCURecycleStress: writers replace and remove elements and recycle
// their payloads after a grace period (Call, or Synchronize), while 6 x
// CPUs readers traverse the list and check that no payload they can still
// hold is ever recycled; with GOMAXPROCS above the CPU count, under each
// fault injector of internal/torture alone and all together (churned
// threads run read-side sections).
func TestRCURecycleStress(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(8))
	d := list.NewRCU()
	defer d.Close()
	var pool payloadPool
	const size = 16
	section := func() {
		tok := d.ReadLock() // a section on a fresh thread
		d.ReadUnlock(tok)
	}
	torture.Stress(t, section, func(t *testing.T) (int64, func() int64) {
		l := list.New[*payload](d)
		stop := make(chan struct{})
		wait := readers(t, l, torture.Workers(), stop)
		var calls, syncs atomic.Int64
		var bad atomic.Int64
		mine := make([][]*list.Element[*payload], 2)
		for w := range mine {
			for i := range size {
				mine[w] = append(mine[w], l.PushBack(pool.get(w*1_000_000_000+i)))
			}
		}
		ops := torture.Hammer(2, torture.StressTime(), func(w, i int) {
			k := i % size
			old := mine[w][k]
			v := w*1_000_000_000 + size + i
			switch i % 4 {
			case 0, 1: // replace, recycle after Call
				mine[w][k] = l.Replace(old, pool.get(v))
				x := old.Value()
				d.Call(func() { pool.recycle(x) })
				calls.Add(1)
			case 2: // remove and push back, recycle after Call
				if !l.Remove(old) {
					if bad.Add(1) == 1 {
						t.Errorf("Remove of a present element failed")
					}
					return
				}
				mine[w][k] = l.PushFront(pool.get(v))
				x := old.Value()
				d.Call(func() { pool.recycle(x) })
				calls.Add(1)
			case 3: // insert after, remove, Synchronize, recycle
				e := l.InsertAfter(pool.get(v), old)
				if e == nil || !l.Remove(old) {
					if bad.Add(1) == 1 {
						t.Errorf("InsertAfter or Remove on a present element failed")
					}
					return
				}
				mine[w][k] = e
				if i%64 == 3 {
					d.Synchronize()
					pool.recycle(old.Value())
					syncs.Add(1)
				} else {
					x := old.Value()
					d.Call(func() { pool.recycle(x) })
					calls.Add(1)
				}
			}
			if i%257 == 0 {
				runtime.Gosched()
			}
		})
		d.Barrier()
		close(stop)
		seen, recycled := wait()
		return ops, func() int64 {
			violations := bad.Load() + recycled
			if n := l.Len(); n != 2*size {
				t.Errorf("Len = %d, want %d", n, 2*size)
				violations++
			}
			n := 0
			for x := range l.All() {
				if x.a == poison || x.a != x.b {
					t.Errorf("list holds a recycled payload %+v", *x)
					violations++
				}
				n++
			}
			if n != 2*size {
				t.Errorf("All yields %d values, want %d", n, 2*size)
				violations++
			}
			t.Logf("%d callbacks, %d synchronizes; %d payloads checked by %d readers",
				calls.Load(), syncs.Load(), seen, torture.Workers())
			return violations
		}
	})
}
