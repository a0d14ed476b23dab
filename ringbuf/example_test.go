package ringbuf_test

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorseq/rseq/ringbuf"
)

// An event stamped with a sequence number, so that the consumer can restore
// the order in which events were produced across CPUs.
type event struct {
	Seq  uint64
	Kind uint32
	Arg  int32
}

func Example() {
	r, err := ringbuf.New[event](1024)
	if err != nil {
		panic(err)
	}
	var seq atomic.Uint64
	var wg sync.WaitGroup
	for p := range 4 {
		wg.Go(func() {
			for i := range 3 {
				if !r.Push(event{Seq: seq.Add(1), Kind: uint32(p), Arg: int32(i)}) {
					panic("ring full") // a tracer would count it and go on
				}
			}
		})
	}
	wg.Wait()

	// Rings are FIFO each, not across CPUs: sort by stamp for a total order.
	var events []event
	for e := range r.Drain {
		events = append(events, e)
	}
	slices.SortFunc(events, func(a, b event) int { return cmp.Compare(a.Seq, b.Seq) })
	fmt.Println(len(events), "events, dropped", r.Dropped())
	for i, e := range events {
		if e.Seq != uint64(i+1) {
			fmt.Println("gap at", i)
		}
	}
	// Output:
	// 12 events, dropped 0
}

func ExampleRecords() {
	r, err := ringbuf.NewRecords(64<<10, ringbuf.WithChecksum())
	if err != nil {
		panic(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	got := make(chan []string)
	go func() {
		var lines []string
		var buf []byte
		for len(lines) < 3 {
			rec, ok := r.Pop(buf[:0])
			if !ok {
				if r.Wait(ctx) != nil {
					break
				}
				continue
			}
			lines = append(lines, string(rec))
			buf = rec
		}
		got <- lines
	}()
	for _, msg := range []string{"GET /", "GET /favicon.ico", "POST /login"} {
		if err := r.Push([]byte(msg)); err != nil {
			fmt.Println(err)
		}
	}
	// The producer may have moved between CPUs between its pushes: the
	// records are FIFO per ring only.
	lines := <-got
	slices.Sort(lines)
	for _, l := range lines {
		fmt.Println(l)
	}
	// Output:
	// GET /
	// GET /favicon.ico
	// POST /login
}
