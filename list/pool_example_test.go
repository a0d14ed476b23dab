package list_test

import (
	"fmt"

	"github.com/gorseq/rseq/list"
)

// A pool of reusable buffers: Get hands one out as the last Put left it,
// and the garbage collector never takes them away.
func ExamplePool() {
	type buffer struct {
		b []byte
	}
	pool, err := list.NewPool[buffer](64)
	if err != nil {
		panic(err)
	}
	buf, ok := pool.Get()
	if !ok {
		return // all 64 are out
	}
	buf.b = append(buf.b[:0], "hello"...)
	fmt.Println(string(buf.b), pool.Len(), "of", pool.Cap(), "in the pool")
	pool.Put(buf)
	fmt.Println(pool.Len(), "of", pool.Cap(), "in the pool")
	// Output:
	// hello 63 of 64 in the pool
	// 64 of 64 in the pool
}
