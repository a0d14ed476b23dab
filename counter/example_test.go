package counter_test

import (
	"fmt"
	"sync"

	"github.com/gorseq/rseq/counter"
)

func ExampleCounter() {
	requests := counter.New()
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for range 1000 {
				requests.Inc() // one per-CPU add, no atomic instruction
			}
		})
	}
	wg.Wait()
	fmt.Println("requests:", requests.Load())
	fmt.Println("reset returned:", requests.Reset())
	fmt.Println("after reset:", requests.Load())
	// Output:
	// requests: 4000
	// reset returned: 4000
	// after reset: 0
}

func ExampleArray() {
	// A latency histogram: bucket i counts requests under 2^i ms.
	buckets, err := counter.NewArray(8)
	if err != nil {
		panic(err)
	}
	for _, ms := range []int{1, 3, 3, 12, 40, 200} {
		i := 0
		for i < buckets.Len()-1 && ms >= 1<<i {
			i++
		}
		buckets.Add(i, 1)
	}
	for i := range buckets.Len() {
		fmt.Print(buckets.Load(i), " ")
	}
	fmt.Println()
	// Output:
	// 0 1 2 0 1 0 1 1
}
