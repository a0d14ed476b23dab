package lockfree_test

import (
	"fmt"
	"math"
	"strings"
	"sync/atomic"
	"testing"
)

// This file holds a small linearizability checker in the style of Wing and
// Gong: a depth-first search for an order of a concurrent history's
// operations that respects real time and that a sequential specification
// accepts, memoized on (set of operations linearized, specification state)
// as Lowe suggests. It is meant for histories of a few dozen operations.

type opKind uint8

const (
	opPush opKind = iota
	opPop
)

// An event is one completed operation of a history. call and ret are
// ticks of a clock shared by all goroutines: if a.ret < b.call, a returned
// before b was called.
type event struct {
	call, ret int64
	kind      opKind
	val       int  // the value pushed, or the value popped if ok
	ok        bool // the boolean result
}

func (e event) String() string {
	switch {
	case e.kind == opPush && e.ok:
		return fmt.Sprintf("[%d,%d] push(%d)", e.call, e.ret, e.val)
	case e.kind == opPush:
		return fmt.Sprintf("[%d,%d] push(%d)=false", e.call, e.ret, e.val)
	case e.ok:
		return fmt.Sprintf("[%d,%d] pop()=%d", e.call, e.ret, e.val)
	}
	return fmt.Sprintf("[%d,%d] pop()=false", e.call, e.ret)
}

type history []event

func (h history) String() string {
	var b strings.Builder
	for _, e := range h {
		fmt.Fprintln(&b, e)
	}
	return b.String()
}

// A spec is a sequential specification. Its states are int slices, which
// step must never modify.
type spec struct {
	init []int
	// step applies e to st and reports whether e's result is legal there.
	step func(st []int, e event) (next []int, ok bool)
}

// linearizable reports whether h, of at most 64 events, has a
// linearization that sp accepts.
func linearizable(h history, sp spec) bool {
	if len(h) > 64 {
		panic("linearizable: history too long")
	}
	all := uint64(1)<<len(h) - 1
	if len(h) == 64 {
		all = math.MaxUint64
	}
	type memoKey struct {
		done uint64
		st   string
	}
	failed := make(map[memoKey]bool)
	var search func(done uint64, st []int) bool
	search = func(done uint64, st []int) bool {
		if done == all {
			return true
		}
		k := memoKey{done, fmt.Sprint(st)}
		if failed[k] {
			return false
		}
		// An event may go next if no other pending event returned
		// before it was called.
		minRet := int64(math.MaxInt64)
		for i, e := range h {
			if done&(1<<i) == 0 {
				minRet = min(minRet, e.ret)
			}
		}
		for i, e := range h {
			if done&(1<<i) != 0 || e.call > minRet {
				continue
			}
			if next, ok := sp.step(st, e); ok && search(done|1<<i, next) {
				return true
			}
		}
		failed[k] = true
		return false
	}
	return search(0, sp.init)
}

// stackSpec specifies a LIFO stack: the state is its contents, bottom
// first. Pop reports false only on an empty stack.
func stackSpec() spec {
	return spec{step: func(st []int, e event) ([]int, bool) {
		n := len(st)
		switch {
		case e.kind == opPush:
			return append(st[:n:n], e.val), e.ok
		case !e.ok:
			return st, n == 0
		case n == 0 || st[n-1] != e.val:
			return st, false
		default:
			return st[:n-1], true
		}
	}}
}

// queueSpec specifies a FIFO queue of capacity c as lockfree.Queue
// implements it, for a history h whose pushed values are distinct. The
// state is the number of elements popped followed by every value pushed,
// in order; the contents are the values not yet popped.
//
// Beyond a plain bounded queue, it lets Pop report false while the head
// element's Push has not returned, and Push report false while the Pop
// that took the element c pushes back has not returned: if the event's
// call precedes that other operation's return, some instant within the
// event found the other still in progress.
func queueSpec(c int, h history) spec {
	pushRet := make(map[int]int64) // by value
	popRet := make(map[int]int64)  // by value
	for _, e := range h {
		switch {
		case e.kind == opPush && e.ok:
			pushRet[e.val] = e.ret
		case e.kind == opPop && e.ok:
			popRet[e.val] = e.ret
		}
	}
	return spec{init: []int{0}, step: func(st []int, e event) ([]int, bool) {
		popped, pushed := st[0], st[1:]
		contents := pushed[popped:]
		switch {
		case e.kind == opPush && e.ok:
			return append(st[:len(st):len(st)], e.val), len(contents) < c
		case e.kind == opPush:
			if len(contents) == c {
				return st, true
			}
			if len(pushed) < c {
				return st, false
			}
			ret, ok := popRet[pushed[len(pushed)-c]]
			return st, ok && e.call < ret
		case e.ok:
			if len(contents) == 0 || contents[0] != e.val {
				return st, false
			}
			next := append([]int{popped + 1}, pushed...)
			return next, true
		default:
			return st, len(contents) == 0 || e.call < pushRet[contents[0]]
		}
	}}
}

// A recorder hands out ticks of a shared clock for histories.
type recorder struct{ clock atomic.Int64 }

func (r *recorder) tick() int64 { return r.clock.Add(1) }

// TestLinearizabilityChecker feeds the checker hand-made histories, both
// linearizable and not, so that a checker accepting everything fails.
func TestLinearizabilityChecker(t *testing.T) {
	push := func(call, ret int64, v int) event { return event{call, ret, opPush, v, true} }
	full := func(call, ret int64, v int) event { return event{call, ret, opPush, v, false} }
	pop := func(call, ret int64, v int) event { return event{call, ret, opPop, v, true} }
	empty := func(call, ret int64) event { return event{call, ret, opPop, 0, false} }
	for _, tc := range []struct {
		name         string
		cap          int
		h            history
		queue, stack bool // linearizable under queueSpec, stackSpec
	}{
		{"sequential FIFO", 4, history{push(1, 2, 1), push(3, 4, 2), pop(5, 6, 1), pop(7, 8, 2)}, true, false},
		{"sequential LIFO", 4, history{push(1, 2, 1), push(3, 4, 2), pop(5, 6, 2), pop(7, 8, 1)}, false, true},
		{"overlapping pushes reorder", 4, history{push(1, 4, 1), push(2, 3, 2), pop(5, 6, 2), pop(7, 8, 1)}, true, true},
		{"value never pushed", 4, history{push(1, 2, 1), pop(3, 4, 7)}, false, false},
		{"value popped twice", 4, history{push(1, 2, 1), pop(3, 4, 1), pop(5, 6, 1)}, false, false},
		{"empty after completed push", 4, history{push(1, 2, 1), empty(3, 4)}, false, false},
		{"empty overlapping push", 4, history{push(1, 4, 1), empty(2, 3), pop(5, 6, 1)}, true, true},
		// The head element's Push is still running: the queue may say
		// empty even though a later Push has returned; a stack may not.
		{"empty while head push pending", 4,
			history{push(1, 10, 1), push(2, 3, 2), empty(4, 5), pop(11, 12, 1), pop(13, 14, 2)}, true, false},
		{"empty after head push returned", 4,
			history{push(1, 3, 1), push(2, 4, 2), empty(5, 6), pop(11, 12, 1), pop(13, 14, 2)}, false, false},
		{"pop out of order while push pending", 4,
			history{push(1, 10, 1), push(2, 3, 2), pop(4, 5, 2), pop(11, 12, 1)}, true, true},
		{"full at capacity", 1, history{push(1, 2, 1), full(3, 4, 2)}, true, false},
		{"full below capacity", 2, history{push(1, 2, 1), full(3, 4, 2)}, false, false},
		{"full while freeing pop pending", 1, history{push(1, 2, 1), pop(3, 10, 1), full(4, 5, 2)}, true, false},
		{"full after freeing pop returned", 1, history{push(1, 2, 1), pop(3, 4, 1), full(5, 6, 2)}, false, false},
		{"over capacity", 1, history{push(1, 2, 1), push(3, 4, 2)}, false, true},
	} {
		if got := linearizable(tc.h, queueSpec(tc.cap, tc.h)); got != tc.queue {
			t.Errorf("%s: queue: linearizable = %v, want %v\n%v", tc.name, got, tc.queue, tc.h)
		}
		if got := linearizable(tc.h, stackSpec()); got != tc.stack {
			t.Errorf("%s: stack: linearizable = %v, want %v\n%v", tc.name, got, tc.stack, tc.h)
		}
	}
}
