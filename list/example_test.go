package list_test

import (
	"fmt"
	"strings"

	"github.com/gorseq/rseq/list"
)

// A per-CPU cache of buffers in front of an allocator: Pop reuses a buffer
// cached on this CPU, Push caches one, and both fall back when the cache is
// empty or full.
func ExamplePerCPU() {
	cache, err := list.NewPerCPU[*strings.Builder](64)
	if err != nil {
		panic(err)
	}
	get := func() *strings.Builder {
		if b, ok := cache.Pop(); ok {
			return b
		}
		return new(strings.Builder)
	}
	put := func(b *strings.Builder) {
		b.Reset()
		cache.Push(b) // dropped for the garbage collector when the cache is full
	}

	b := get()
	b.WriteString("hello")
	fmt.Println(b.String())
	put(b)
	fmt.Println(cache.Len(), "cached")
	// Output:
	// hello
	// 1 cached
}

// A configuration swap: after Replace and Synchronize, no reader can still
// see the old configuration, so it can be retired.
func ExampleList() {
	type route struct{ prefix, backend string }
	routes := list.New[*route](nil)
	routes.PushBack(&route{"/api", "api-v1"})
	static := routes.PushBack(&route{"/static", "cdn"})

	lookup := func(path string) string {
		for r := range routes.All() { // lock-free, inside one read-side section
			if strings.HasPrefix(path, r.prefix) {
				return r.backend
			}
		}
		return "none"
	}
	fmt.Println(lookup("/static/logo.png"))

	routes.Replace(static, &route{"/static", "cdn-2"})
	routes.RCU().Synchronize() // every reader that could see "cdn" is done
	fmt.Println("retired cdn;", lookup("/static/logo.png"))
	// Output:
	// cdn
	// retired cdn; cdn-2
}

// Call defers work until the readers that began before it are done.
func ExampleRCU_Call() {
	d := list.NewRCU()
	defer d.Close()
	t := d.ReadLock()
	d.Call(func() { fmt.Println("after the reader") })
	fmt.Println("reader done")
	d.ReadUnlock(t)
	d.Barrier()
	// Output:
	// reader done
	// after the reader
}
