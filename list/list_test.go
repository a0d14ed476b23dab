package list_test

import (
	"math/rand/v2"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorseq/rseq/internal/torture"
	"github.com/gorseq/rseq/list"
)

func values[T any](l *list.List[T]) []T {
	var vs []T
	for v := range l.All() {
		vs = append(vs, v)
	}
	return vs
}

func TestListBasic(t *testing.T) {
	l := list.New[string](nil)
	if l.RCU() == nil {
		t.Fatal("a list made with a nil domain has no domain")
	}
	if l.Len() != 0 || len(values(l)) != 0 {
		t.Fatal("a new list is not empty")
	}
	b := l.PushBack("b")
	a := l.PushFront("a")
	d := l.PushBack("d")
	c := l.InsertAfter("c", b)
	if got := values(l); !slices.Equal(got, []string{"a", "b", "c", "d"}) {
		t.Fatalf("values %v", got)
	}
	if a.Value() != "a" || c.Value() != "c" {
		t.Fatal("Value returns the wrong value")
	}
	c2 := l.Replace(c, "C")
	if c2 == nil || c2.Value() != "C" || c.Value() != "c" {
		t.Fatal("Replace")
	}
	if l.Remove(c) || l.Replace(c, "x") != nil || l.InsertAfter("x", c) != nil {
		t.Fatal("a replaced element is still in the list")
	}
	if !l.Remove(a) || l.Remove(a) {
		t.Fatal("Remove of the front element")
	}
	if !l.Remove(d) {
		t.Fatal("Remove of the back element")
	}
	l.PushBack("e")
	if got := values(l); !slices.Equal(got, []string{"b", "C", "e"}) || l.Len() != 3 {
		t.Fatalf("values %v, Len %d", got, l.Len())
	}
	// Elements of another list, and nil, are refused.
	other := list.New[string](l.RCU())
	x := other.PushBack("x")
	if l.Remove(x) || l.Replace(x, "y") != nil || l.InsertAfter("y", x) != nil || l.Remove(nil) ||
		l.Replace(nil, "y") != nil || l.InsertAfter("y", nil) != nil {
		t.Fatal("an element of another list, or nil, was accepted")
	}
	// Breaking out of the loop ends the section: Synchronize returns.
	for v := range l.All() {
		if v == "C" {
			break
		}
	}
	l.RCU().Synchronize()
}

// TestListPanicEndsSection: a panic in the loop body ends the section.
func TestListPanicEndsSection(t *testing.T) {
	l := list.New[int](nil)
	l.PushBack(1)
	func() {
		defer func() { recover() }()
		for range l.All() {
			panic("body")
		}
	}()
	l.RCU().Synchronize()
}

// TestListModel runs random writer operations against a slice and checks
// the values, Len and the results after every one.
func TestListModel(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	l := list.New[int](nil)
	var model []int
	var elems []*list.Element[int] // elems[i] holds model[i]
	var gone []*list.Element[int]
	for i := range 5000 {
		v := i
		switch op := r.IntN(6); {
		case op == 0:
			elems = slices.Insert(elems, 0, l.PushFront(v))
			model = slices.Insert(model, 0, v)
		case op == 1:
			elems = append(elems, l.PushBack(v))
			model = append(model, v)
		case op == 2 && len(elems) > 0:
			k := r.IntN(len(elems))
			e := l.InsertAfter(v, elems[k])
			if e == nil {
				t.Fatalf("op %d: InsertAfter a present element returned nil", i)
			}
			elems = slices.Insert(elems, k+1, e)
			model = slices.Insert(model, k+1, v)
		case op == 3 && len(elems) > 0:
			k := r.IntN(len(elems))
			if !l.Remove(elems[k]) {
				t.Fatalf("op %d: Remove of a present element failed", i)
			}
			gone = append(gone, elems[k])
			elems = slices.Delete(elems, k, k+1)
			model = slices.Delete(model, k, k+1)
		case op == 4 && len(elems) > 0:
			k := r.IntN(len(elems))
			e := l.Replace(elems[k], v)
			if e == nil {
				t.Fatalf("op %d: Replace of a present element returned nil", i)
			}
			gone = append(gone, elems[k])
			elems[k], model[k] = e, v
		case op == 5 && len(gone) > 0:
			e := gone[r.IntN(len(gone))]
			if l.Remove(e) || l.Replace(e, v) != nil || l.InsertAfter(v, e) != nil {
				t.Fatalf("op %d: a removed element was accepted", i)
			}
		}
		if got := values(l); !slices.Equal(got, model) {
			t.Fatalf("op %d: values %v, want %v", i, got, model)
		}
		if l.Len() != len(model) {
			t.Fatalf("op %d: Len %d, want %d", i, l.Len(), len(model))
		}
		if len(model) > 40 { // keep it short: drain from the front
			for _, e := range elems[:20] {
				l.Remove(e)
			}
			elems, model = elems[20:], model[20:]
		}
	}
}

// TestListRemoveVisibility: a traversal that begins after Remove returned
// never sees the removed value, while a writer keeps adding and removing.
func TestListRemoveVisibility(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(8))
	l := list.New[int](nil)
	var removed atomic.Int64 // the value removed last
	removed.Store(-1)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var bad atomic.Int64
	for range torture.Workers() {
		torture.Loop(&wg, stop, func(i int) {
			gone := int(removed.Load())
			for v := range l.All() {
				if v == gone {
					bad.Add(1)
				}
				disturb(i + v)
			}
		})
	}
	var window []*list.Element[int] // the last 8 values pushed
	deadline := time.Now().Add(torture.StressTime())
	for v := 0; v%64 != 0 || time.Now().Before(deadline); v++ {
		window = append(window, l.PushBack(v))
		if len(window) > 8 {
			e := window[0]
			window = slices.Delete(window, 0, 1)
			if !l.Remove(e) {
				t.Fatal("Remove of a present element failed")
			}
			removed.Store(int64(e.Value()))
		}
	}
	close(stop)
	wg.Wait()
	if bad.Load() != 0 {
		t.Fatalf("%d traversals saw a value removed before they began", bad.Load())
	}
}
