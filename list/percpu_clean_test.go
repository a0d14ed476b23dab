package list_test

import (
	"fmt"
	"runtime"
	"strconv"
	"sync/atomic"
	"testing"
	"time"
	"weak"

	"github.com/gorseq/rseq/internal/torture"
	"github.com/gorseq/rseq/list"
)

// cargo is big enough not to be a tiny allocation, whose collection may
// wait for a neighbour's.
type cargo [32]int64

// boxed is a T with a pointer and more.
type boxed struct {
	p *cargo
	n int
}

// TestPerCPUPoppedValueCollected: a value pushed, popped and dropped is
// collected after a few collections, although Pop leaves a copy in the
// free node (RSEQ backend): the cleaner clears it. Without the cleaner the
// value stays reachable from the list for as long as the list lives.
func TestPerCPUPoppedValueCollected(t *testing.T) {
	t.Run("pointer", func(t *testing.T) {
		testPoppedCollected(t, func(p *cargo) *cargo { return p }, func(v *cargo) *cargo { return v })
	})
	t.Run("struct", func(t *testing.T) {
		testPoppedCollected(t, func(p *cargo) boxed { return boxed{p, 7} }, func(v boxed) *cargo { return v.p })
	})
}

func testPoppedCollected[T any](t *testing.T, wrap func(*cargo) T, unwrap func(T) *cargo) {
	l, err := list.NewPerCPU[T](64)
	if err != nil {
		t.Fatal(err)
	}
	w := pushPopDrop(t, l, wrap, unwrap)
	for round := range 8 {
		if w.Value() == nil {
			t.Logf("collected after %d collections (cleaner: %v, %d passes)", round, l.HasCleaner(), l.Cleans())
			runtime.KeepAlive(l)
			return
		}
		c := l.Cleans()
		runtime.GC()
		if !l.HasCleaner() {
			continue
		}
		// The pass runs on the runtime's cleanup goroutine, after the
		// collection: wait for it (a liveness wait, not a timing check).
		deadline, ok := t.Deadline()
		if !ok {
			deadline = time.Now().Add(time.Minute)
		}
		for l.Cleans() == c {
			if time.Now().After(deadline.Add(-5 * time.Second)) {
				t.Fatalf("no cleaner pass after a collection (%d passes)", c)
			}
			time.Sleep(time.Millisecond)
		}
	}
	t.Fatalf("a popped and dropped value is still reachable after 8 collections (cleaner: %v, %d passes)", l.HasCleaner(), l.Cleans())
}

// pushPopDrop pushes a fresh cargo, pops it (checking it), drops it and
// returns a weak pointer to it. It is not inlined, so that no copy of the
// value stays live in the caller's frame.
//
//go:noinline
func pushPopDrop[T any](t *testing.T, l *list.PerCPU[T], wrap func(*cargo) T, unwrap func(T) *cargo) weak.Pointer[cargo] {
	p := new(cargo)
	p[0] = 42
	w := weak.Make(p)
	if !l.Push(wrap(p)) {
		t.Fatal("Push on an empty list failed")
	}
	v, ok := l.Pop()
	if !ok || unwrap(v) != p || unwrap(v)[0] != 42 {
		t.Fatalf("Pop = %v, %v; want the value pushed", v, ok)
	}
	return w
}

// TestPerCPUCollected: the cleaner does not keep its list alive.
func TestPerCPUCollected(t *testing.T) {
	w := func() weak.Pointer[list.PerCPU[*cargo]] {
		l, err := list.NewPerCPU[*cargo](64)
		if err != nil {
			t.Fatal(err)
		}
		l.Push(new(cargo))
		return weak.Make(l)
	}()
	for range 8 {
		if w.Value() == nil {
			return
		}
		runtime.GC()
		time.Sleep(time.Millisecond) // lets a pending cleaner pass end
	}
	t.Fatal("a PerCPU with a cleaner is still reachable after 8 collections")
}

// BenchmarkPerCPUClean: one cleaner pass over a list whose nodes are all
// free and hold stale values, which is the time every slot stays stopped
// once per garbage collection (RSEQ backend).
func BenchmarkPerCPUClean(b *testing.B) {
	for _, n := range []int{1024, 1 << 20} {
		b.Run("free="+strconv.Itoa(n), func(b *testing.B) {
			l, err := list.NewPerCPU[*cargo](n)
			if err != nil {
				b.Fatal(err)
			}
			if !l.HasCleaner() {
				b.Skip("no cleaner in this backend")
			}
			v := new(cargo)
			for l.Push(v) {
			}
			for {
				if _, ok := l.Pop(); !ok {
					break
				}
			}
			for b.Loop() {
				l.Clean()
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/node")
		})
	}
}

// knowing is a heap object that knows itself: an object the garbage
// collector freed too early, and reused, no longer points to itself or
// holds a matching pair.
type knowing struct {
	self *knowing
	a, b uint64
	_    [3]uint64 // a size class of its own among the tests' objects
}

func newKnowing(k uint64) *knowing {
	o := &knowing{a: k, b: ^k}
	o.self = o
	return o
}

func (o *knowing) ok() bool { return o != nil && o.self == o && o.b == ^o.a }

// describe formats an object that failed ok.
func describe(o *knowing) string {
	if o == nil {
		return "nil (a value cleared while in the list?)"
	}
	return fmt.Sprintf("an object that does not know itself (freed and reused?): %p %+v", o, *o)
}

// TestPerCPUFreshValues: goroutines push freshly allocated objects and pop
// them (each Pop copies its value to its stack with no write barrier, and
// leaves a stale copy in the free node), while collections run, under each
// injector, with cleaner passes among them. A value collected while the
// list or a popper still holds it shows as an object that does not know
// itself once its memory is reused. At the end the list drains to exactly
// what it held.
func TestPerCPUFreshValues(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(8))
	const n = 256
	var lp atomic.Pointer[list.PerCPU[*knowing]]
	var held atomic.Int64 // values in the list, as the workers count them
	fresh := func(t *testing.T) {
		l, err := list.NewPerCPU[*knowing](n)
		if err != nil {
			t.Fatal(err)
		}
		for k := range n / 2 {
			if !l.Push(newKnowing(uint64(k))) {
				t.Fatalf("filling: Push %d failed", k)
			}
		}
		held.Store(n / 2)
		lp.Store(l)
	}
	fresh(t)
	var bad atomic.Int64
	var cur atomic.Pointer[testing.T]
	cur.Store(t)
	fail := func(format string, args ...any) {
		if bad.Add(1) <= 10 {
			cur.Load().Errorf(format, args...)
		}
	}
	step := func(l *list.PerCPU[*knowing], i int) {
		p, ok := l.Pop()
		if ok {
			held.Add(-1)
			if !p.ok() {
				fail("popped %s", describe(p))
			}
		}
		if l.Push(newKnowing(uint64(i))) {
			held.Add(1)
		}
		if i%512 == 0 {
			runtime.GC()
		}
		if i%128 == 0 {
			l.Clean()
		}
	}
	torture.Stress(t, func() { step(lp.Load(), 1) }, func(t *testing.T) (int64, func() int64) {
		cur.Store(t)
		l := lp.Load()
		ops := torture.Hammer(torture.Workers(), torture.StressTime(), func(_, i int) {
			step(l, i)
			disturb(i)
		})
		return ops, func() int64 {
			runtime.GC()
			v := bad.Swap(0)
			want := int(held.Load())
			got := 0
			for range 2 * n {
				p, ok := l.Pop()
				if !ok {
					break
				}
				got++
				if !p.ok() {
					v++
					t.Errorf("drained %s", describe(p))
				}
			}
			if got != want {
				t.Errorf("drained %d values, want %d", got, want)
				v++
			}
			fresh(t)
			return v
		}
	})
}
