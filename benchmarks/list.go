package benchmarks

import (
	"sync"
	"sync/atomic"
	"testing"
	"unsafe"

	"github.com/gorseq/rseq/list"
	"github.com/gorseq/rseq/lockfree"
)

// The list suite: the per-CPU object cache (PerCPU) against sync.Pool and
// lockfree.Stack, and the RCU-like read side against sync.RWMutex and a
// copy-on-write slice behind an atomic.Pointer.

// all16 is the length of the traversed list; sum16 the sum of its values.
const (
	all16 = 16
	sum16 = all16 * (all16 - 1) / 2
)

func listSuite() *Structure {
	return &Structure{
		Name: "list",
		Doc:  "per-CPU object cache and RCU-like read side",
		Cases: []*Case{
			{
				Name: "PerCPUPushPop", Op: "Push then Pop of one object (Put then Get for sync.Pool)",
				Bench: "PerCPUPushPop", ParBench: "PerCPUPushPopParallel",
				Impls: []Impl{
					{Name: "impl=rseq", Backend: true, Single: pairPerCPU, Parallel: pairPerCPUPar},
					{Name: "peer=sync.Pool", Single: pairPool, Parallel: pairPoolPar},
					{Name: "peer=lockfree.Stack", Single: pairStack, Parallel: pairStackPar},
				},
			},
			{
				Name: "PoolGetPut", Op: "Get then Put of one object (Get then Put for sync.Pool)",
				Bench: "PoolGetPut", ParBench: "PoolGetPutParallel",
				Impls: []Impl{
					{Name: "impl=rseq", Backend: true, Single: pairListPool, Parallel: pairListPoolPar},
					{Name: "peer=sync.Pool", Single: pairPool, Parallel: pairPoolPar},
					{Name: "peer=lockfree.IndexStack", Single: pairIndexStack, Parallel: pairIndexStackPar},
				},
			},
			{
				Name: "ReadSection", Op: "an empty read-side section",
				Bench: "ReadSection", ParBench: "ReadSectionParallel",
				Impls: []Impl{
					{Name: "impl=rseq", Backend: true, Single: readRCU, Parallel: readRCUPar},
					{Name: "peer=rwmutex", Single: readRW, Parallel: readRWPar},
					{Name: "peer=cow", Single: readCOW, Parallel: readCOWPar},
				},
			},
			{
				Name: "All16", Op: "a traversal of 16 values, summed",
				Bench: "All16", ParBench: "All16Parallel",
				Impls: []Impl{
					{Name: "impl=rseq", Backend: true, Single: all16List, Parallel: all16ListPar},
					{Name: "peer=rwmutex", Single: all16RW, Parallel: all16RWPar},
					{Name: "peer=cow", Single: all16COW, Parallel: all16COWPar},
				},
			},
			{
				Name: "Synchronize", Op: "a grace period with no reader (RWMutex: Lock+Unlock)",
				Bench: "Synchronize",
				Impls: []Impl{
					{Name: "impl=rseq", Backend: true, Single: syncRCU},
					{Name: "peer=rwmutex", Single: syncRW},
				},
			},
		},
	}
}

// Each operation is written out twice, for one goroutine (b.Loop) and for
// RunParallel (pb.Next), so that the calls in the timed loop are direct.

// PerCPU Push+Pop, sync.Pool Put+Get, lockfree.Stack Push+Pop.

func newPerCPU(b *testing.B) *list.PerCPU[*int64] {
	l, err := list.NewPerCPU[*int64](1024)
	if err != nil {
		b.Fatal(err)
	}
	return l
}

func pairPerCPU(b *testing.B) {
	b.ReportAllocs()
	l, obj := newPerCPU(b), new(int64)
	var n int64
	for b.Loop() {
		l.Push(obj)
		if _, ok := l.Pop(); ok {
			n++
		}
	}
	checkCount(b, n)
}

func pairPerCPUPar(b *testing.B) {
	b.ReportAllocs()
	l, obj := newPerCPU(b), new(int64)
	b.RunParallel(func(pb *testing.PB) {
		var n int64
		for pb.Next() {
			l.Push(obj)
			if _, ok := l.Pop(); ok {
				n++
			}
		}
		keep(n)
	})
}

func newPool() *sync.Pool {
	p := &sync.Pool{New: func() any { return new(int64) }}
	p.Put(new(int64))
	return p
}

func pairPool(b *testing.B) {
	b.ReportAllocs()
	p := newPool()
	var n int64
	for b.Loop() {
		o := p.Get().(*int64)
		p.Put(o)
		n++
	}
	checkCount(b, n)
}

func pairPoolPar(b *testing.B) {
	b.ReportAllocs()
	p := newPool()
	b.RunParallel(func(pb *testing.PB) {
		var n int64
		for pb.Next() {
			o := p.Get().(*int64)
			p.Put(o)
			n++
		}
		keep(n)
	})
}

func pairStack(b *testing.B) {
	b.ReportAllocs()
	s, obj := new(lockfree.Stack[*int64]), new(int64)
	var n int64
	for b.Loop() {
		s.Push(obj)
		if _, ok := s.Pop(); ok {
			n++
		}
	}
	checkCount(b, n)
}

func pairStackPar(b *testing.B) {
	b.ReportAllocs()
	s, obj := new(lockfree.Stack[*int64]), new(int64)
	b.RunParallel(func(pb *testing.PB) {
		var n int64
		for pb.Next() {
			s.Push(obj)
			if _, ok := s.Pop(); ok {
				n++
			}
		}
		keep(n)
	})
}

// Empty read-side sections. The copy-on-write reader's section is its
// pointer load.

func readRCU(b *testing.B) {
	b.ReportAllocs()
	d := list.NewRCU()
	var n int64
	for b.Loop() {
		d.ReadUnlock(d.ReadLock())
		n++
	}
	checkCount(b, n)
}

func readRCUPar(b *testing.B) {
	b.ReportAllocs()
	d := list.NewRCU()
	b.RunParallel(func(pb *testing.PB) {
		var n int64
		for pb.Next() {
			d.ReadUnlock(d.ReadLock())
			n++
		}
		keep(n)
	})
}

func readRW(b *testing.B) {
	b.ReportAllocs()
	mu := new(sync.RWMutex)
	var n int64
	for b.Loop() {
		mu.RLock()
		n++
		mu.RUnlock()
	}
	checkCount(b, n)
}

func readRWPar(b *testing.B) {
	b.ReportAllocs()
	mu := new(sync.RWMutex)
	b.RunParallel(func(pb *testing.PB) {
		var n int64
		for pb.Next() {
			mu.RLock()
			n++
			mu.RUnlock()
		}
		keep(n)
	})
}

func newCOW(n int) *atomic.Pointer[[]int] {
	s := make([]int, n)
	for i := range s {
		s[i] = i
	}
	p := new(atomic.Pointer[[]int])
	p.Store(&s)
	return p
}

func readCOW(b *testing.B) {
	b.ReportAllocs()
	p := newCOW(1)
	var n int64
	for b.Loop() {
		n += int64(len(*p.Load()))
	}
	checkCount(b, n)
}

func readCOWPar(b *testing.B) {
	b.ReportAllocs()
	p := newCOW(1)
	b.RunParallel(func(pb *testing.PB) {
		var n int64
		for pb.Next() {
			n += int64(len(*p.Load()))
		}
		keep(n)
	})
}

// Traversals of 16 values. A single-goroutine run checks the total.

func checkSum16(b *testing.B, got int64) {
	if want := int64(b.N) * sum16; got != want {
		b.Errorf("traversals summed to %d, want %d", got, want)
	}
	keep(got)
}

func newList16() *list.List[int] {
	l := list.New[int](nil)
	for i := range all16 {
		l.PushBack(i)
	}
	return l
}

func all16List(b *testing.B) {
	b.ReportAllocs()
	l := newList16()
	var n int64
	for b.Loop() {
		for v := range l.All() {
			n += int64(v)
		}
	}
	checkSum16(b, n)
}

func all16ListPar(b *testing.B) {
	b.ReportAllocs()
	l := newList16()
	fillSpacers()
	b.RunParallel(func(pb *testing.PB) {
		var n int64
		for pb.Next() {
			for v := range l.All() {
				n += int64(v)
			}
		}
		keep(n)
	})
}

func newRW16() (*sync.RWMutex, []int) {
	s := make([]int, all16)
	for i := range s {
		s[i] = i
	}
	return new(sync.RWMutex), s
}

func all16RW(b *testing.B) {
	b.ReportAllocs()
	mu, s := newRW16()
	var n int64
	for b.Loop() {
		mu.RLock()
		for _, v := range s {
			n += int64(v)
		}
		mu.RUnlock()
	}
	checkSum16(b, n)
}

func all16RWPar(b *testing.B) {
	b.ReportAllocs()
	mu, s := newRW16()
	b.RunParallel(func(pb *testing.PB) {
		var n int64
		for pb.Next() {
			mu.RLock()
			for _, v := range s {
				n += int64(v)
			}
			mu.RUnlock()
		}
		keep(n)
	})
}

func all16COW(b *testing.B) {
	b.ReportAllocs()
	p := newCOW(all16)
	var n int64
	for b.Loop() {
		for _, v := range *p.Load() {
			n += int64(v)
		}
	}
	checkSum16(b, n)
}

func all16COWPar(b *testing.B) {
	b.ReportAllocs()
	p := newCOW(all16)
	b.RunParallel(func(pb *testing.PB) {
		var n int64
		for pb.Next() {
			for _, v := range *p.Load() {
				n += int64(v)
			}
		}
		keep(n)
	})
}

// Grace periods: Synchronize with no reader; the RWMutex writer's
// Lock+Unlock is the nearest thing (it waits for readers too).

func syncRCU(b *testing.B) {
	b.ReportAllocs()
	d := list.NewRCU()
	for b.Loop() {
		d.Synchronize()
	}
}

func syncRW(b *testing.B) {
	b.ReportAllocs()
	mu := new(sync.RWMutex)
	var n int64
	for b.Loop() {
		mu.Lock()
		n++
		mu.Unlock()
	}
	checkCount(b, n)
}

// Pool Get+Put, against sync.Pool and a pool of objects in a slice behind
// a lockfree.IndexStack.

func newListPool(b *testing.B) *list.Pool[int64] {
	p, err := list.NewPool[int64](1024)
	if err != nil {
		b.Fatal(err)
	}
	return p
}

func pairListPool(b *testing.B) {
	b.ReportAllocs()
	p := newListPool(b)
	var n int64
	for b.Loop() {
		if o, ok := p.Get(); ok {
			p.Put(o)
			n++
		}
	}
	checkCount(b, n)
}

func pairListPoolPar(b *testing.B) {
	b.ReportAllocs()
	p := newListPool(b)
	b.RunParallel(func(pb *testing.PB) {
		var n int64
		for pb.Next() {
			if o, ok := p.Get(); ok {
				p.Put(o)
				n++
			}
		}
		keep(n)
	})
}

func newIndexStack(b *testing.B) (*lockfree.IndexStack, []int64) {
	s, err := lockfree.NewIndexStack(1024)
	if err != nil {
		b.Fatal(err)
	}
	for i := range 1024 {
		s.Push(uint32(i))
	}
	return s, make([]int64, 1024)
}

func pairIndexStack(b *testing.B) {
	b.ReportAllocs()
	s, objs := newIndexStack(b)
	var n int64
	for b.Loop() {
		if i, ok := s.Pop(); ok {
			objs[i]++
			s.Push(i)
			n++
		}
	}
	checkCount(b, n)
}

func pairIndexStackPar(b *testing.B) {
	b.ReportAllocs()
	s, objs := newIndexStack(b)
	b.RunParallel(func(pb *testing.PB) {
		var n int64
		for pb.Next() {
			if i, ok := s.Pop(); ok {
				objs[i]++
				s.Push(i)
				n++
			}
		}
		keep(n)
	})
}

// fillSpacers runs right after a list of ints is built for RunParallel.
// A list element of an int is 32 bytes with pointers, the size class of
// testing.PB, which RunParallel allocates for each goroutine and writes on
// every pb.Next. Without the spacers, the goroutines' PBs could land on
// the elements' cache lines, and the 2-CPU All16 row went from 27 to 54 ns
// by where they landed (with them: 21 ns, steady). The spacers fill the
// rest of the allocating P's span of that class. The one-goroutine loop
// has no PB and takes no spacers: with them its time moved from 37 to 42
// ns, by where its later lists landed alone (perf puts the difference in
// the loop body that adds to the sum).
func fillSpacers() {
	for i := range listSpacers {
		listSpacers[i] = new(listSpacer)
	}
}

// listSpacer has the size class of a list element of an int and of
// testing.PB: 32 bytes, with pointers.
type listSpacer [4]*int

// A list element of an int and a spacer have one size.
var (
	_ [unsafe.Sizeof(list.Element[int]{}) - unsafe.Sizeof(listSpacer{})]struct{}
	_ [unsafe.Sizeof(listSpacer{}) - unsafe.Sizeof(list.Element[int]{})]struct{}
)

// listSpacers keeps the last spacers alive: two spans' worth.
var listSpacers [2 * 8192 / unsafe.Sizeof(listSpacer{})]*listSpacer
