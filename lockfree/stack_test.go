package lockfree_test

import (
	"testing"

	"github.com/gorseq/rseq/internal/torture"
	"github.com/gorseq/rseq/lockfree"
)

func TestStackZeroValue(t *testing.T) {
	var s lockfree.Stack[*int]
	if v, ok := s.Pop(); ok || v != nil {
		t.Fatalf("Pop on zero Stack = %v, %v; want nil, false", v, ok)
	}
	a, b := new(int), new(int)
	s.Push(a)
	s.Push(b)
	for _, want := range []*int{b, a} {
		if v, ok := s.Pop(); !ok || v != want {
			t.Fatalf("Pop() = %p, %v; want %p, true", v, ok, want)
		}
	}
	if _, ok := s.Pop(); ok {
		t.Fatal("Pop on drained Stack reported true")
	}
}

func TestStackModel(t *testing.T) {
	f := func(pushBias uint8, ops []uint8) bool {
		var s lockfree.Stack[int]
		var ref mutexStack[int]
		for i, op := range ops {
			if op < pushBias {
				s.Push(i)
				ref.push(i)
				continue
			}
			v, ok := s.Pop()
			wv, wok := ref.pop()
			if v != wv || ok != wok {
				t.Logf("op %d: Pop() = %d, %v; model says %d, %v", i, v, ok, wv, wok)
				return false
			}
		}
		return true
	}
	checkModel(t, f)
}

func TestStackLinearizable(t *testing.T) {
	r, hr, b := startHistories(t, 3, 4)
	for i := 0; b.more(i); i++ {
		var s lockfree.Stack[int]
		push := func(v int) bool { s.Push(v); return true }
		h := hr.recordPushPop(randomPlans(r, 3, 7, 0.5), push, s.Pop)
		if !linearizable(h, stackSpec()) {
			t.Fatalf("history %d not linearizable:\n%v", i, h)
		}
	}
}

func TestStackConservation(t *testing.T) {
	var s lockfree.Stack[int]
	push := func(v int) bool { s.Push(v); return true }
	conserve(t, 4, 4, torture.Scale(200000, 10000, 5000)/4, false, push, s.Pop)
	if _, ok := s.Pop(); ok {
		t.Error("stack not empty after every value was popped")
	}
}
