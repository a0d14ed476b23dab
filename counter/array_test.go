package counter_test

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/gorseq/rseq/counter"
)

func TestArrayBasics(t *testing.T) {
	a, err := counter.NewArray(5)
	if err != nil {
		t.Fatal(err)
	}
	if a.Len() != 5 {
		t.Fatalf("Len() = %d, want 5", a.Len())
	}
	for i := range 5 {
		a.Add(i, int64(10*i))
		a.Add(i, 1)
	}
	for i := range 5 {
		if got := a.Load(i); got != int64(10*i+1) {
			t.Errorf("Load(%d) = %d, want %d", i, got, 10*i+1)
		}
	}
	if got := a.Reset(3); got != 31 {
		t.Errorf("Reset(3) = %d, want 31", got)
	}
	for i := range 5 {
		want := int64(10*i + 1)
		if i == 3 {
			want = 0
		}
		if got := a.Load(i); got != want {
			t.Errorf("after Reset(3): Load(%d) = %d, want %d", i, got, want)
		}
	}
}

func TestNewArrayErrors(t *testing.T) {
	for _, n := range []int{0, -1, math.MinInt, counter.MaxArrayLen + 1, math.MaxInt} {
		a, err := counter.NewArray(n)
		if err == nil {
			t.Errorf("NewArray(%d) = %v, nil; want an error", n, a)
			continue
		}
		if !errors.Is(err, counter.ErrArrayLen) {
			t.Errorf("NewArray(%d) error %q does not wrap ErrArrayLen", n, err)
		}
		if !strings.Contains(err.Error(), fmt.Sprint(n)) {
			t.Errorf("NewArray(%d) error %q does not name n", n, err)
		}
	}
	if _, err := counter.NewArray(0); err == nil || err.Error() != "counter: NewArray: n 0 out of range [1, 16777216]" {
		t.Errorf("NewArray(0) error %q", err)
	}
	for _, n := range []int{1, 4096, 1 << 16} {
		a, err := counter.NewArray(n)
		if err != nil {
			t.Errorf("NewArray(%d): %v", n, err)
			continue
		}
		a.Add(n-1, 3)
		if got := a.Load(n - 1); got != 3 || a.Len() != n {
			t.Errorf("NewArray(%d): Load(%d) = %d, Len() = %d; want 3, %d", n, n-1, got, a.Len(), n)
		}
	}
}

func TestArrayIndexPanics(t *testing.T) {
	a, err := counter.NewArray(5)
	if err != nil {
		t.Fatal(err)
	}
	ops := map[string]func(i int){
		"Add":   func(i int) { a.Add(i, 1) },
		"Load":  func(i int) { a.Load(i) },
		"Reset": func(i int) { a.Reset(i) },
	}
	for name, op := range ops {
		for _, i := range []int{-1, 5, 7, math.MaxInt, math.MinInt} {
			want := fmt.Sprintf("counter: Array index %d out of range [0, 5)", i)
			if got := panicMessage(func() { op(i) }); got != want {
				t.Errorf("%s(%d) panicked with %q, want %q", name, i, got, want)
			}
		}
	}
	for i := range 5 {
		if got := a.Load(i); got != 0 {
			t.Errorf("after the panics: Load(%d) = %d, want 0", i, got)
		}
	}
}

// panicMessage runs f and returns what it panicked with, as a string, or
// "" if it did not panic.
func panicMessage(f func()) (msg string) {
	defer func() {
		if r := recover(); r != nil {
			msg = fmt.Sprint(r)
		}
	}()
	f()
	return ""
}
