package list_test

import (
	"fmt"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/quick"
	"unsafe"

	"github.com/gorseq/rseq/internal/cs"
	"github.com/gorseq/rseq/internal/torture"
	"github.com/gorseq/rseq/list"
)

func TestNewPoolCapacity(t *testing.T) {
	testBadCapacity(t, "NewPool", list.NewPool[int])
}

// getAll takes every object of p, checks they are distinct and that one
// more Get fails, and returns them.
func getAll[T any](t *testing.T, p *list.Pool[T]) []*T {
	t.Helper()
	seen := make(map[*T]bool, p.Cap())
	out := make([]*T, 0, p.Cap())
	for k := range p.Cap() {
		x, ok := p.Get()
		if !ok {
			t.Fatalf("capacity %d: Get %d failed", p.Cap(), k+1)
		}
		if x == nil || seen[x] {
			t.Fatalf("capacity %d: Get %d returned %p, given out already", p.Cap(), k+1, x)
		}
		seen[x] = true
		out = append(out, x)
	}
	if x, ok := p.Get(); ok || x != nil {
		t.Fatalf("capacity %d: Get with every object out = %p, %v", p.Cap(), x, ok)
	}
	if n := p.Len(); n != 0 {
		t.Fatalf("capacity %d: Len = %d with every object out", p.Cap(), n)
	}
	return out
}

func testPoolAll[T any](t *testing.T, set func(*T, int), get func(*T) int) {
	for _, c := range []int{1, 2, 3, 100, 5000} {
		p, err := list.NewPool[T](c)
		if err != nil {
			t.Fatal(err)
		}
		if p.Cap() != c || p.Len() != c {
			t.Fatalf("new pool: Cap %d, Len %d; want %d", p.Cap(), p.Len(), c)
		}
		for round := range 3 {
			runtime.GC() // pointers in the objects stay alive in the pool
			objs := getAll(t, p)
			for k, x := range objs {
				if round > 0 && get(x) == 0 {
					t.Fatalf("capacity %d: an object came back changed", c)
				}
				set(x, k+1)
			}
			for _, x := range objs {
				p.Put(x)
			}
			if n := p.Len(); n != c {
				t.Fatalf("capacity %d: Len = %d with every object back", c, n)
			}
		}
	}
}

type big struct {
	a [37]int32
	v int
}

// TestPoolGetAll: Get hands out capacity distinct objects, then reports
// false; objects come back as the last Put left them; for every size of
// object, the tiny ones included.
func TestPoolGetAll(t *testing.T) {
	t.Run("int", func(t *testing.T) {
		testPoolAll(t, func(x *int, v int) { *x = v }, func(x *int) int { return *x })
	})
	t.Run("byte", func(t *testing.T) {
		testPoolAll(t, func(x *byte, v int) { *x = byte(v) | 1 }, func(x *byte) int { return int(*x) })
	})
	t.Run("big", func(t *testing.T) {
		testPoolAll(t, func(x *big, v int) { x.v = v }, func(x *big) int { return x.v })
	})
	t.Run("empty", func(t *testing.T) {
		testPoolAll(t, func(*struct{}, int) {}, func(*struct{}) int { return 1 })
	})
	t.Run("pointers", func(t *testing.T) {
		testPoolAll(t, func(x **int, v int) { *x = &v }, func(x **int) int { return **x })
	})
}

// mustPanic runs f and returns its panic message.
func mustPanic(t *testing.T, what string, f func()) (msg string) {
	t.Helper()
	defer func() {
		r := recover()
		if r == nil {
			t.Fatalf("%s did not panic", what)
		}
		msg = fmt.Sprint(r)
	}()
	f()
	return ""
}

func TestPoolPutPanics(t *testing.T) {
	p, err := list.NewPool[big](4)
	if err != nil {
		t.Fatal(err)
	}
	pool := fmt.Sprintf("%p", p)
	x, _ := p.Get()
	foreign := new(big)
	other, err := list.NewPool[big](4)
	if err != nil {
		t.Fatal(err)
	}
	y, _ := other.Get()
	inner := &x.v
	cases := []struct {
		name string
		ptr  *big
		want []string
	}{
		{"nil", nil, []string{pool, "nil"}},
		{"foreign", foreign, []string{pool, fmt.Sprintf("%p", foreign), "not an object"}},
		{"another pool's", y, []string{pool, fmt.Sprintf("%p", y), "not an object"}},
		{"interior", (*big)(unsafe.Pointer(inner)), []string{pool, fmt.Sprintf("%p", inner), "into object"}},
	}
	for _, c := range cases {
		msg := mustPanic(t, "Put("+c.name+")", func() { p.Put(c.ptr) })
		for _, w := range c.want {
			if !strings.Contains(msg, w) {
				t.Errorf("Put(%s) panics with %q, which does not name %q", c.name, msg, w)
			}
		}
	}
	if n := p.Len(); n != 3 {
		t.Fatalf("Len = %d after refused Puts, want 3", n)
	}
	p.Put(x)
}

// TestPoolDoublePut: an object put twice is detected: at once under the
// race detector, else when both copies reach the depot (RSEQ backend).
func TestPoolDoublePut(t *testing.T) {
	if !cs.RaceEnabled && !cs.Enabled() {
		t.Skip("the Atomic backend detects a double Put only under the race detector")
	}
	const c = 5000
	for try := 0; ; try++ {
		p, err := list.NewPool[int](c)
		if err != nil {
			t.Fatal(err)
		}
		objs := getAll(t, p)
		msg := func() (msg string) {
			defer func() {
				if r := recover(); r != nil {
					msg = fmt.Sprint(r)
				}
			}()
			p.Put(objs[0])
			p.Put(objs[0])
			for _, x := range objs[1:] {
				p.Put(x)
			}
			return ""
		}()
		if msg != "" {
			if !strings.Contains(msg, "twice") || !strings.Contains(msg, fmt.Sprintf("%p", objs[0])) {
				t.Fatalf("double Put panics with %q, which does not name the object %p", msg, objs[0])
			}
			return
		}
		if try == 20 {
			t.Fatal("an object put twice was never detected")
		}
	}
}

// poolModel is the reference: a mutex-guarded record of which objects are
// out and what each holds.
type poolModel struct {
	mu    sync.Mutex
	cap   int
	out   map[*int]bool
	value map[*int]int
}

func (m *poolModel) get(x *int, ok bool) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if ok != (len(m.out) < m.cap) {
		return fmt.Errorf("Get ok = %v with %d of %d out", ok, len(m.out), m.cap)
	}
	if !ok {
		return nil
	}
	if m.out[x] {
		return fmt.Errorf("Get returned %p, which is out", x)
	}
	if *x != m.value[x] {
		return fmt.Errorf("Get returned %p holding %d, put with %d", x, *x, m.value[x])
	}
	m.out[x] = true
	return nil
}

func (m *poolModel) put(x *int, v int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.out, x)
	m.value[x] = v
}

// TestPoolModel runs random sequences of Gets and Puts against the model.
func TestPoolModel(t *testing.T) {
	check := func(capacity uint8, ops []uint16) bool {
		c := int(capacity)%40 + 1
		p, err := list.NewPool[int](c)
		if err != nil {
			t.Fatal(err)
		}
		m := &poolModel{cap: c, out: map[*int]bool{}, value: map[*int]int{}}
		var held []*int
		for k, op := range ops {
			if op%3 != 0 || len(held) == 0 {
				x, ok := p.Get()
				if err := m.get(x, ok); err != nil {
					t.Logf("capacity %d, op %d: %v", c, k, err)
					return false
				}
				if ok {
					held = append(held, x)
				}
			} else {
				j := int(op) % len(held)
				x := held[j]
				held[j] = held[len(held)-1]
				held = held[:len(held)-1]
				*x = int(op)
				p.Put(x)
				m.put(x, int(op))
			}
			if n := p.Len(); n != c-len(held) {
				t.Logf("capacity %d, op %d: Len = %d, want %d", c, k, n, c-len(held))
				return false
			}
		}
		return true
	}
	if err := quick.Check(check, &quick.Config{MaxCount: 300}); err != nil {
		t.Fatal(err)
	}
}

func TestPoolNoAlloc(t *testing.T) {
	if cs.RaceEnabled {
		t.Skip("the race detector allocates")
	}
	p, err := list.NewPool[int](3000)
	if err != nil {
		t.Fatal(err)
	}
	if n := testing.AllocsPerRun(1000, func() {
		x, _ := p.Get()
		p.Put(x)
	}); n != 0 {
		t.Errorf("Get+Put allocates %v times", n)
	}
	// The slow paths too: refills, spills, an empty pool.
	objs := make([]*int, 0, p.Cap())
	if n := testing.AllocsPerRun(20, func() {
		for {
			x, ok := p.Get()
			if !ok {
				break
			}
			objs = append(objs, x)
		}
		for _, x := range objs {
			p.Put(x)
		}
		objs = objs[:0]
	}); n != 0 {
		t.Errorf("emptying and refilling the pool allocates %v times per run", n)
	}
}

// stamped is the stress tests' object: the id of its holder, or 0.
type stamped struct {
	owner atomic.Int64
	_     [cs.CacheLine - 8]byte
}

// TestPoolStress: goroutines take objects (up to 40 at a time, more than
// the pool has in all), stamp each with their id, check the stamp is still
// theirs after a while, clear it and put the objects back, under each
// injector; a second holder of one object breaks a stamp. At the end Get
// returns capacity distinct objects, then false.
func TestPoolStress(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(8))
	const capacity = 1500
	var pp atomic.Pointer[list.Pool[stamped]]
	fresh := func(t *testing.T) {
		p, err := list.NewPool[stamped](capacity)
		if err != nil {
			t.Fatal(err)
		}
		pp.Store(p)
	}
	fresh(t)
	var violations atomic.Int64
	var cur atomic.Pointer[testing.T]
	cur.Store(t)
	fail := func(format string, args ...any) {
		if violations.Add(1) <= 10 {
			cur.Load().Errorf(format, args...)
		}
	}
	// cycle takes up to n objects as holder id and puts them back.
	cycle := func(p *list.Pool[stamped], id int64, n int, held []*stamped, i int) {
		held = held[:0]
		for range n {
			x, ok := p.Get()
			if !ok {
				break
			}
			if o := x.owner.Load(); o != 0 || !x.owner.CompareAndSwap(0, id) {
				fail("holder %d got object %p, held by %d", id, x, o)
				continue
			}
			held = append(held, x)
		}
		disturb(i)
		for _, x := range held {
			if !x.owner.CompareAndSwap(id, 0) {
				fail("object %p of holder %d was stamped %d meanwhile", x, id, x.owner.Load())
				continue
			}
			p.Put(x)
		}
	}
	var churnID atomic.Int64
	churn := func() {
		held := make([]*stamped, 0, 8)
		cycle(pp.Load(), 1_000_000+churnID.Add(1), 8, held, 0)
	}
	torture.Stress(t, churn, func(t *testing.T) (int64, func() int64) {
		cur.Store(t)
		p := pp.Load()
		ws := torture.Workers()
		held := make([][]*stamped, ws)
		for w := range held {
			held[w] = make([]*stamped, 0, 40)
		}
		ops := torture.Hammer(ws, torture.StressTime(), func(w, i int) {
			cycle(p, int64(w+1), 1+(i*7+w)%40, held[w], i)
		})
		return ops, func() int64 {
			bad := violations.Swap(0)
			if n := p.Len(); n != capacity {
				t.Errorf("Len = %d after the run, want %d", n, capacity)
				bad++
			}
			seen := make(map[*stamped]bool, capacity)
			for k := range capacity {
				x, ok := p.Get()
				if !ok {
					t.Errorf("Get %d of %d failed after the run", k+1, capacity)
					bad++
					break
				}
				if seen[x] {
					t.Errorf("Get %d returned %p twice", k+1, x)
					bad++
				}
				seen[x] = true
				if o := x.owner.Load(); o != 0 {
					t.Errorf("object %p still stamped %d", x, o)
					bad++
				}
			}
			if x, ok := p.Get(); ok {
				t.Errorf("Get returned %p with every object out", x)
				bad++
			}
			fresh(t)
			return bad
		}
	})
}

// TestPoolGetBelowCapacity is issue 18's scenario for the pool: 48
// goroutines each Get an object and Put it back, on a pool of more
// objects than that, under each injector: at every instant some object is
// in the pool, so Get must never report false.
func TestPoolGetBelowCapacity(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(8))
	const n = holders + 16
	var pp atomic.Pointer[list.Pool[stamped]]
	fresh := func() {
		p, err := list.NewPool[stamped](n)
		if err != nil {
			t.Fatal(err)
		}
		pp.Store(p)
	}
	fresh()
	var fails, bad atomic.Int64
	getPut := func() {
		p := pp.Load()
		if x, ok := p.Get(); ok {
			p.Put(x)
		} else {
			fails.Add(1)
		}
	}
	torture.Stress(t, getPut, func(t *testing.T) (int64, func() int64) {
		p := pp.Load()
		ops := torture.Hammer(holders, torture.StressTime(), func(w, i int) {
			x, ok := p.Get()
			if !ok {
				fails.Add(1)
				return
			}
			if !x.owner.CompareAndSwap(0, int64(w+1)) {
				bad.Add(1)
			}
			disturb(i)
			if !x.owner.CompareAndSwap(int64(w+1), 0) {
				bad.Add(1)
			}
			p.Put(x)
		})
		return ops, func() int64 {
			v := bad.Swap(0)
			if f := fails.Swap(0); f != 0 {
				t.Errorf("%d Gets returned false with at most %d of %d objects out", f, holders, n)
				v += f
			}
			getAll(t, p)
			fresh()
			return v
		}
	})
}

// TestPoolIndex: Put's index arithmetic against division, for objects of
// odd, even and power-of-two sizes, at every offset around the objects and
// at offsets that wrap around (pointers below object 0).
func TestPoolIndex(t *testing.T) {
	t.Run("1", func(t *testing.T) { testPoolIndex[[1]byte](t) })
	t.Run("3", func(t *testing.T) { testPoolIndex[[3]byte](t) })
	t.Run("6", func(t *testing.T) { testPoolIndex[[6]byte](t) })
	t.Run("8", func(t *testing.T) { testPoolIndex[int64](t) })
	t.Run("12", func(t *testing.T) { testPoolIndex[[3]int32](t) })
	t.Run("40", func(t *testing.T) { testPoolIndex[[5]int64](t) })
	t.Run("big", func(t *testing.T) { testPoolIndex[big](t) })
	t.Run("1000", func(t *testing.T) { testPoolIndex[[1000]byte](t) })
	t.Run("4096", func(t *testing.T) { testPoolIndex[[4096]byte](t) })
}

func testPoolIndex[T any](t *testing.T) {
	for _, c := range []int{1, 7, 64} {
		p, err := list.NewPool[T](c)
		if err != nil {
			t.Fatal(err)
		}
		size := list.PoolObjectSize(p)
		span := uintptr(c) * size
		check := func(off uintptr) {
			got := list.PoolIndexAt(p, off)
			if off < span && off%size == 0 {
				if got != uint(off/size) {
					t.Fatalf("size %d, capacity %d: offset %d is object %d, index says %d", size, c, off, off/size, got)
				}
			} else if got < uint(c) {
				t.Fatalf("size %d, capacity %d: offset %#x is no object, index says %d", size, c, off, got)
			}
		}
		for off := uintptr(0); off < span+3*size; off++ {
			check(off)
			check(-off - 1)
		}
		for _, off := range []uintptr{^uintptr(0) / 2, ^uintptr(0)/size*size + size, span * size, ^uintptr(0) - span} {
			check(off)
		}
	}
}
