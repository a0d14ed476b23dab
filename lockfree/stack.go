package lockfree

import "sync/atomic"

// A Stack is an unbounded last-in first-out stack of values of type T for
// any number of goroutines: R. Kent Treiber's stack, a linked list whose
// head pointer is swung by compare-and-swap. Push and Pop are lock-free and
// linearizable; Pop on an empty stack reports false at once.
//
// Every Push allocates a node. That is also why the stack needs no ABA tag:
// a node is never pushed twice, and the garbage collector does not reuse
// its memory while a goroutine that loaded it may still compare against
// it, so a head that still equals the pointer a Pop loaded is still the
// same node, with the same successor.
//
// Push(v) "synchronizes before" the Pop that returns v.
//
// The zero Stack is an empty stack ready to use. A Stack must not be copied
// after first use.
type Stack[T any] struct {
	head atomic.Pointer[node[T]]
}

type node[T any] struct {
	val  T
	next *node[T] // immutable once the node is published
}

// Push adds v to the top of the stack.
func (s *Stack[T]) Push(v T) {
	n := &node[T]{val: v}
	for {
		top := s.head.Load()
		n.next = top
		if s.head.CompareAndSwap(top, n) {
			return
		}
	}
}

// Pop removes the value at the top of the stack and returns it and true.
// It returns the zero T and false when the stack is empty.
func (s *Stack[T]) Pop() (T, bool) {
	for {
		top := s.head.Load()
		if top == nil {
			var zero T
			return zero, false
		}
		if s.head.CompareAndSwap(top, top.next) {
			// Only the winner of the CAS touches val, so clearing
			// it races with no one. A Pop that lost may still hold
			// top for a while; it must not keep v alive.
			v := top.val
			var zero T
			top.val = zero
			return v, true
		}
	}
}
