package ringbuf_test

import (
	"context"
	"errors"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/gorseq/rseq/internal/torture"
)

// parked waits until n goroutines are inside Wait's park (or on their way
// to it, past the registration).
func parked(n int, waiters func() int) {
	for waiters() < n {
		runtime.Gosched()
	}
}

func TestWaitWakesOnPush(t *testing.T) {
	r := newRing[int](t, 4)
	for round := range 100 {
		done := make(chan error)
		go func() { done <- r.Wait(context.Background()) }()
		parked(1, r.Waiters)
		if !r.Push(round) {
			t.Fatal("push failed")
		}
		if err := <-done; err != nil {
			t.Fatalf("Wait = %v", err)
		}
		if v, ok := r.Pop(); !ok || v != round {
			t.Fatalf("Pop = %v, %v after Wait", v, ok)
		}
	}
	// Something already there: no park.
	r.Push(1)
	if err := r.Wait(context.Background()); err != nil || r.Waiters() != 0 {
		t.Fatalf("Wait with a value queued = %v, %d waiters", err, r.Waiters())
	}
}

func TestWaitCancel(t *testing.T) {
	r := newRing[int](t, 4)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := r.Wait(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("Wait with a cancelled context = %v", err)
	}
	ctx, cancel = context.WithCancel(context.Background())
	done := make(chan error)
	for range 3 {
		go func() { done <- r.Wait(ctx) }()
	}
	parked(3, r.Waiters)
	cancel()
	for range 3 {
		if err := <-done; !errors.Is(err, context.Canceled) {
			t.Fatalf("Wait after cancel = %v", err)
		}
	}
	if r.Waiters() != 0 {
		t.Fatalf("%d waiters left", r.Waiters())
	}
}

func TestRecordsWait(t *testing.T) {
	r := newRecords(t, 256)
	done := make(chan error)
	go func() { done <- r.Wait(context.Background()) }()
	parked(1, r.Waiters)
	if err := r.Push([]byte("hello")); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatalf("Wait = %v", err)
	}
	if got, ok := r.Pop(nil); !ok || string(got) != "hello" {
		t.Fatalf("Pop = %q, %v", got, ok)
	}
	ctx, cancel := context.WithCancel(context.Background())
	go func() { done <- r.Wait(ctx) }()
	parked(1, r.Waiters)
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("Wait after cancel = %v", err)
	}
}

// TestWaitNoLostWakeup has consumers that only ever Wait and Pop, never
// poll: if a wake-up were lost, they would sleep with values queued and
// the test would hang (and time out). Producers push in bursts with yields
// between, so that consumers keep parking.
func TestWaitNoLostWakeup(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(8))
	r := newRing[uint64](t, 64)
	const producers, consumers = 4, 3
	per := torture.Scale(20000, 4000, 2000)
	total := producers * per
	var popped, pushed atomic.Int64
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var wg sync.WaitGroup
	for range consumers {
		wg.Go(func() {
			for {
				if _, ok := r.Pop(); ok {
					if popped.Add(1) == int64(total) {
						cancel()
					}
					continue
				}
				if r.Wait(ctx) != nil {
					return
				}
			}
		})
	}
	for p := range producers {
		wg.Go(func() {
			for i := range per {
				for !r.Push(uint64(p)<<32 | uint64(i)) {
					runtime.Gosched()
				}
				pushed.Add(1)
				if i%7 == 0 {
					runtime.Gosched()
				}
			}
		})
	}
	wg.Wait()
	if popped.Load() != int64(total) || r.Dropped() == 0 && pushed.Load() != int64(total) {
		t.Fatalf("popped %d of %d", popped.Load(), total)
	}
}
