package lockfree_test

import (
	"errors"
	"math/rand/v2"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"unsafe"

	"github.com/gorseq/rseq/internal/torture"
	"github.com/gorseq/rseq/lockfree"
)

func TestNewIndexStackRange(t *testing.T) {
	for _, tc := range []struct {
		n   int
		msg string
	}{
		{0, "lockfree: NewIndexStack: n 0 out of range [1, 1073741824]"},
		{-7, "lockfree: NewIndexStack: n -7 out of range [1, 1073741824]"},
		{lockfree.MaxCapacity + 1, "lockfree: NewIndexStack: n 1073741825 out of range [1, 1073741824]"},
	} {
		s, err := lockfree.NewIndexStack(tc.n)
		if s != nil || err == nil {
			t.Errorf("NewIndexStack(%d) = %v, %v; want nil, error", tc.n, s, err)
			continue
		}
		if !errors.Is(err, lockfree.ErrCapacity) {
			t.Errorf("NewIndexStack(%d) error %q does not wrap ErrCapacity", tc.n, err)
		}
		if err.Error() != tc.msg {
			t.Errorf("NewIndexStack(%d) error %q, want %q", tc.n, err, tc.msg)
		}
	}
	s, err := lockfree.NewIndexStack(3)
	if err != nil {
		t.Fatal(err)
	}
	if s.Cap() != 3 || s.Len() != 0 {
		t.Errorf("NewIndexStack(3): Cap, Len = %d, %d; want 3, 0", s.Cap(), s.Len())
	}
	if i, ok := s.Pop(); ok {
		t.Errorf("Pop on new IndexStack = %d, true", i)
	}
}

func TestIndexStackPushOutOfRange(t *testing.T) {
	s, _ := lockfree.NewIndexStack(3)
	defer func() {
		const want = "lockfree: IndexStack.Push index 3 out of range [0, 3)"
		if r := recover(); r != want {
			t.Errorf("Push(3) panicked with %v, want %q", r, want)
		}
	}()
	s.Push(3)
}

func TestIndexStackLayout(t *testing.T) {
	l := lockfree.IndexStackLayout()
	head, size, next := l.Offsets["head"], l.Offsets["size"], l.Offsets["next"]
	const line = lockfree.CacheLine
	if head < line || head%line != 0 {
		t.Errorf("head at offset %d, want a positive multiple of %d", head, line)
	}
	if size/line != head/line {
		t.Errorf("head at %d and size at %d on different %d-byte lines", head, size, line)
	}
	if next-head != line {
		t.Errorf("head at %d and next at %d, want exactly a %d-byte line apart", head, next, line)
	}
	if want := (2*line + unsafe.Sizeof([]uint32(nil)) + 7) &^ 7; l.Size != want {
		t.Errorf("unsafe.Sizeof(IndexStack) = %d, want %d", l.Size, want)
	}
}

// TestIndexStackTag replays the ABA scenario: a Pop loads the head with A on
// top and B below; meanwhile A and B are popped and A pushed back. The head
// again has A on top, but its word must differ, so the stalled Pop's
// compare-and-swap (which would install B, now not on the stack) fails.
func TestIndexStackTag(t *testing.T) {
	s, _ := lockfree.NewIndexStack(4)
	const b, a = 1, 2
	s.Push(b)
	s.Push(a)
	stale := s.HeadWord()
	if top := uint32(stale); top != a {
		t.Fatalf("top index %d, want %d", top, a)
	}
	s.Pop()
	s.Pop()
	s.Push(a)
	now := s.HeadWord()
	if uint32(now) != a {
		t.Fatalf("top index %d, want %d", uint32(now), a)
	}
	if now == stale {
		t.Fatalf("head word %#x unchanged after pop, pop, push: ABA undetected", now)
	}
	if got, want := now>>32, stale>>32+3; got != want {
		t.Errorf("tag %d after 3 more operations, want %d", got, want)
	}
}

// TestIndexStackModel runs random sequences on an IndexStack and the
// reference model; pushes take an index not on the stack.
func TestIndexStackModel(t *testing.T) {
	f := func(n, pushBias uint8, ops []uint8) bool {
		size := int(n%16) + 1
		s, _ := lockfree.NewIndexStack(size)
		var ref mutexStack[uint32]
		var free []uint32 // indices not on the stack
		for i := range size {
			free = append(free, uint32(i))
		}
		for k, op := range ops {
			if op < pushBias && len(free) > 0 {
				j := int(op) % len(free)
				i := free[j]
				free = append(free[:j], free[j+1:]...)
				s.Push(i)
				ref.push(i)
			} else {
				i, ok := s.Pop()
				wi, wok := ref.pop()
				if i != wi || ok != wok {
					t.Logf("op %d: Pop() = %d, %v; model says %d, %v", k, i, ok, wi, wok)
					return false
				}
				if ok {
					free = append(free, i)
				}
			}
			if got, want := s.Len(), size-len(free); got != want {
				t.Logf("op %d: Len() = %d, want %d", k, got, want)
				return false
			}
		}
		return true
	}
	checkModel(t, f)
}

// TestIndexStackLinearizable records histories of goroutines that pop
// indices from a full stack and push back the ones they hold.
func TestIndexStackLinearizable(t *testing.T) {
	r, hr, b := startHistories(t, 5, 6)
	const n = 4
	for i := 0; b.more(i); i++ {
		s, _ := lockfree.NewIndexStack(n)
		init := make([]int, n)
		for j := range n {
			s.Push(uint32(j))
			init[j] = j
		}
		seeds := [3]uint64{r.Uint64(), r.Uint64(), r.Uint64()}
		var rec recorder
		h := hr.record(func(g int) history {
			r := rand.New(rand.NewPCG(seeds[g], 0))
			var (
				h    history
				held []uint32
			)
			for k := range 7 {
				spin(k*7 + g)
				var e event
				if len(held) > 0 && r.IntN(2) == 0 {
					i := held[len(held)-1]
					held = held[:len(held)-1]
					e.kind, e.val, e.ok = opPush, int(i), true
					e.call = rec.tick()
					s.Push(i)
				} else {
					e.kind = opPop
					e.call = rec.tick()
					i, ok := s.Pop()
					if ok {
						held = append(held, i)
					}
					e.val, e.ok = int(i), ok
				}
				e.ret = rec.tick()
				h = append(h, e)
			}
			return h
		})
		sp := stackSpec()
		sp.init = init
		if !linearizable(h, sp) {
			t.Fatalf("history %d not linearizable from stack %v:\n%v", i, init, h)
		}
	}
}

// TestIndexStackOwnership has goroutines take indices off a stack, claim
// them in an ownership table, and give them back. An index handed to two
// goroutines at once, or lost, fails the test.
func TestIndexStackOwnership(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(stressProcs))
	const n = 16
	s, _ := lockfree.NewIndexStack(n)
	for i := range n {
		s.Push(uint32(i))
	}
	var (
		owner [n]atomic.Int32 // goroutine id + 1, or 0 when free
		dup   atomic.Int64
		wg    sync.WaitGroup
	)
	iters := torture.Scale(1000000, 50000, 10000)
	for g := range 8 {
		wg.Go(func() {
			var held []uint32
			for k := range iters {
				if len(held) < 3 && k%4 != 3 {
					if i, ok := s.Pop(); ok {
						if !owner[i].CompareAndSwap(0, int32(g+1)) {
							if dup.Add(1) <= 5 {
								t.Errorf("index %d popped by goroutine %d while owned by %d", i, g, owner[i].Load()-1)
							}
							continue
						}
						held = append(held, i)
					}
					continue
				}
				if len(held) > 0 {
					i := held[0]
					held = held[1:]
					owner[i].Store(0)
					s.Push(i)
				}
			}
			for _, i := range held {
				owner[i].Store(0)
				s.Push(i)
			}
		})
	}
	wg.Wait()
	if t.Failed() {
		return
	}
	if got := s.Len(); got != n {
		t.Errorf("Len() = %d after all indices returned, want %d", got, n)
	}
	var seen [n]bool
	for range n {
		i, ok := s.Pop()
		if !ok {
			t.Fatal("stack ran dry: an index was lost")
		}
		if seen[i] {
			t.Fatalf("index %d on the stack twice", i)
		}
		seen[i] = true
	}
	if i, ok := s.Pop(); ok {
		t.Fatalf("extra index %d on the stack", i)
	}
}

// TestIndexStackConservation moves disjoint ranges of indices from
// producers to consumers.
func TestIndexStackConservation(t *testing.T) {
	total := torture.Scale(200000, 10000, 5000)
	s, _ := lockfree.NewIndexStack(total)
	push := func(v int) bool { s.Push(uint32(v)); return true }
	pop := func() (int, bool) { i, ok := s.Pop(); return int(i), ok }
	conserve(t, 4, 4, total/4, false, push, pop)
	if n := s.Len(); n != 0 {
		t.Errorf("Len() = %d after every index was popped, want 0", n)
	}
}
