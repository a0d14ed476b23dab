package lockfree_test

import (
	"fmt"
	"runtime"
	"sync"

	"github.com/gorseq/rseq/lockfree"
)

// Each example is whole on its own, as go doc shows it alone: their
// drain-and-print loops repeat on purpose.

func ExampleQueue() {
	q, err := lockfree.NewQueue[string](3)
	if err != nil {
		panic(err)
	}
	fmt.Println("cap", q.Cap()) // 3 rounded up to a power of two
	for _, s := range []string{"a", "b", "c", "d", "e"} {
		if !q.Push(s) {
			fmt.Println("full, dropped", s)
		}
	}
	for {
		s, ok := q.Pop()
		if !ok {
			break
		}
		fmt.Println(s)
	}
	// Output:
	// cap 4
	// full, dropped e
	// a
	// b
	// c
	// d
}

// A Queue between goroutines: Push and Pop never wait, so a producer that
// finds the queue full, or a consumer that finds it empty, decides what to
// do; here both simply try again.
func ExampleQueue_concurrent() {
	q, _ := lockfree.NewQueue[int](8)
	var wg sync.WaitGroup
	wg.Go(func() {
		for i := 1; i <= 100; i++ {
			for !q.Push(i) {
				runtime.Gosched()
			}
		}
	})
	sum := 0
	for range 100 {
		v, ok := q.Pop()
		for !ok {
			runtime.Gosched()
			v, ok = q.Pop()
		}
		sum += v
	}
	wg.Wait()
	fmt.Println(sum)
	// Output: 5050
}

func ExampleStack() {
	var s lockfree.Stack[string] // the zero value is an empty stack
	s.Push("a")
	s.Push("b")
	s.Push("c")
	for {
		v, ok := s.Pop()
		if !ok {
			break
		}
		fmt.Println(v)
	}
	// Output:
	// c
	// b
	// a
}

// An IndexStack as the free list of a pool of buffers allocated up front.
func ExampleIndexStack() {
	bufs := make([][64]byte, 4)
	free, err := lockfree.NewIndexStack(len(bufs))
	if err != nil {
		panic(err)
	}
	for i := range bufs {
		free.Push(uint32(i))
	}

	i, ok := free.Pop() // take a buffer
	if !ok {
		panic("pool exhausted")
	}
	copy(bufs[i][:], "hello")
	fmt.Println("using buffer", i, "of", free.Cap(), "-", free.Len(), "free")
	free.Push(i) // give it back
	fmt.Println(free.Len(), "free")
	// Output:
	// using buffer 3 of 4 - 3 free
	// 4 free
}
