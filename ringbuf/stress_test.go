package ringbuf_test

import (
	"bytes"
	"context"
	"errors"
	"math/rand/v2"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorseq/rseq/internal/cs"
	"github.com/gorseq/rseq/ringbuf"
)

// scale picks a test size: full, under -race, or under -short.
func scale(full, race, short int) int {
	switch {
	case testing.Short():
		return short
	case raceEnabled:
		return race
	}
	return full
}

// disturb runs, until stop is closed, the disturbances the stress tests
// share: SIGURG bursts (each aborts the critical section of whichever
// thread it lands on) and thread churn (goroutines that lock their thread
// and exit without unlocking it, so that the runtime kills the thread and
// makes new ones, each registering afresh). churn runs on each locked
// thread. The returned function waits for the disturbers to stop.
func disturb(stop <-chan struct{}, churn func(i uint64)) (wait func()) {
	var wg sync.WaitGroup
	wg.Go(func() {
		for {
			select {
			case <-stop:
				return
			default:
			}
			for range 16 {
				signalSelf()
			}
			time.Sleep(50 * time.Microsecond)
		}
	})
	wg.Go(func() {
		for i := uint64(0); ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			done := make(chan struct{})
			go func() {
				defer close(done)
				runtime.LockOSThread() // never unlocked: the thread exits with the goroutine
				churn(i)
			}()
			<-done
		}
	})
	return wg.Wait
}

// value packs a producer id and a sequence number.
func value(p, i int) uint64 { return uint64(p)<<32 | uint64(i) }

func split(v uint64) (p, i int) { return int(v >> 32), int(uint32(v)) }

// pace yields or sleeps now and then, so that goroutines move between
// threads and threads between CPUs in the middle of things.
func pace(r *rand.Rand, k int) {
	switch {
	case k%2048 == 2047:
		time.Sleep(time.Duration(r.IntN(20)) * time.Microsecond)
	case k%128 == 127:
		runtime.Gosched()
	}
}

// TestConservation checks that every value pushed is popped exactly once,
// or was reported dropped: 6 x CPUs producers, several consumers (Pop,
// Drain, PopN and Wait), GOMAXPROCS 8, signal bursts and thread churn. Churn
// threads push too. The rings are small, so that they fill and drop.
func TestConservation(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(8))
	producers := 6 * runtime.NumCPU()
	per := scale(300000, 30000, 20000)
	r, err := ringbuf.New[uint64](512)
	if err != nil {
		t.Fatal(err)
	}
	// ok[p][i] is set when producer p's push i succeeded; seen[p][i] when
	// a consumer got it. Producer ids from producers on are churn threads'.
	const churnIDs, churnPer = 1 << 12, 64
	ok := make([][]atomic.Bool, producers+churnIDs)
	seen := make([][]atomic.Bool, producers+churnIDs)
	for p := range ok {
		n := per
		if p >= producers {
			n = churnPer
		}
		ok[p] = make([]atomic.Bool, n)
		seen[p] = make([]atomic.Bool, n)
	}
	var pushed, failed, popped atomic.Int64
	var dup atomic.Value
	take := func(v uint64) {
		p, i := split(v)
		if p >= len(seen) || i >= len(seen[p]) || seen[p][i].Swap(true) {
			dup.CompareAndSwap(nil, v)
		}
		popped.Add(1)
	}
	push := func(p, i int) {
		if r.Push(value(p, i)) {
			ok[p][i].Store(true)
			pushed.Add(1)
		} else {
			failed.Add(1)
			runtime.Gosched() // let the consumers catch up
		}
	}

	stop := make(chan struct{})
	var churned atomic.Int64
	waitDisturb := disturb(stop, func(i uint64) {
		if i >= churnIDs {
			return
		}
		churned.Add(1)
		for k := range churnPer {
			push(producers+int(i), k)
		}
	})
	ctx, cancel := context.WithCancel(context.Background())
	var consumers sync.WaitGroup
	for c := range 4 {
		consumers.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(c), 1))
			var buf []uint64
			for k := 0; ctx.Err() == nil; k++ {
				switch c {
				case 3:
					buf = r.PopN(buf[:0], 1+rng.IntN(300))
					for _, v := range buf {
						take(v)
					}
					if len(buf) == 0 {
						runtime.Gosched()
					}
				case 0:
					if v, ok := r.Pop(); ok {
						take(v)
					} else {
						runtime.Gosched()
					}
				case 1:
					r.Drain(func(v uint64) bool { take(v); return rng.IntN(64) != 0 })
					runtime.Gosched()
				case 2:
					if r.Wait(ctx) == nil {
						if v, ok := r.Pop(); ok {
							take(v)
						}
					}
				}
				pace(rng, k)
			}
		})
	}
	var prod sync.WaitGroup
	for p := range producers {
		prod.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(p), 2))
			for i := range per {
				push(p, i)
				pace(rng, i)
			}
		})
	}
	prod.Wait()
	close(stop)
	waitDisturb()
	// Let the consumers finish what is queued, then stop them.
	for r.Len() > 0 {
		runtime.Gosched()
	}
	cancel()
	consumers.Wait()
	r.Drain(func(v uint64) bool { take(v); return true })

	t.Logf("pushed %d, dropped %d, popped %d, churn threads %d; %+v",
		pushed.Load(), failed.Load(), popped.Load(), churned.Load(), cs.ReadStats())
	if v := dup.Load(); v != nil {
		p, i := split(v.(uint64))
		t.Fatalf("value %d of producer %d popped twice, or never pushed", i, p)
	}
	if got := r.Dropped(); got != uint64(failed.Load()) {
		t.Errorf("Dropped = %d, but %d pushes reported false", got, failed.Load())
	}
	if pushed.Load() != popped.Load() {
		t.Errorf("pushed %d, popped %d", pushed.Load(), popped.Load())
	}
	for p := range ok {
		for i := range ok[p] {
			if ok[p][i].Load() != seen[p][i].Load() {
				t.Fatalf("producer %d value %d: pushed %v, popped %v", p, i, ok[p][i].Load(), seen[p][i].Load())
			}
		}
	}
	if failed.Load() == 0 {
		t.Log("no push found a full ring")
	}
}

// TestFIFOPerRing checks that each ring is FIFO: producers, each locked to
// its thread, record the slot each push went to; one consumer per slot pops
// that slot's ring only. For every slot and producer, the values popped
// must be exactly the values pushed to that slot, in push order.
func TestFIFOPerRing(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(8))
	producers := 6 * runtime.NumCPU()
	per := scale(100000, 15000, 10000)
	nslots := ringbuf.Slots()
	r, err := ringbuf.New[uint64](128)
	if err != nil {
		t.Fatal(err)
	}
	slotOf := make([][]int8, producers) // slotOf[p][i]: where push i went, -1 if dropped
	for p := range slotOf {
		slotOf[p] = make([]int8, per)
	}
	popped := make([][][]int, nslots) // popped[s][p]: sequence numbers, in pop order
	stop := make(chan struct{})
	waitDisturb := disturb(stop, func(uint64) {})
	var done atomic.Bool
	var consumers sync.WaitGroup
	for s := range nslots {
		popped[s] = make([][]int, producers)
		consumers.Go(func() {
			for {
				v, ok := r.PopSlot(s)
				if !ok {
					if done.Load() {
						if _, ok := r.PopSlot(s); !ok {
							return
						}
						continue
					}
					runtime.Gosched()
					continue
				}
				p, i := split(v)
				popped[s][p] = append(popped[s][p], i)
			}
		})
	}
	var prod sync.WaitGroup
	for p := range producers {
		prod.Go(func() {
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			rng := rand.New(rand.NewPCG(uint64(p), 3))
			for i := range per {
				s, ok := r.PushSlot(value(p, i))
				if !ok {
					s = -1
					runtime.Gosched()
				}
				slotOf[p][i] = int8(s)
				pace(rng, i)
			}
		})
	}
	prod.Wait()
	done.Store(true)
	consumers.Wait()
	close(stop)
	waitDisturb()

	moves := 0
	for p := range producers {
		for s := range nslots {
			var want []int
			for i, ps := range slotOf[p] {
				if int(ps) == s {
					want = append(want, i)
				}
			}
			got := popped[s][p]
			if len(got) != len(want) {
				t.Fatalf("slot %d, producer %d: popped %d values, pushed %d", s, p, len(got), len(want))
			}
			for k := range want {
				if got[k] != want[k] {
					t.Fatalf("slot %d, producer %d: pop %d is value %d, want %d (FIFO broken)", s, p, k, got[k], want[k])
				}
			}
		}
		for i := 1; i < per; i++ {
			if slotOf[p][i] != slotOf[p][i-1] {
				moves++
			}
		}
	}
	t.Logf("slot changes seen by producers: %d; dropped %d; %+v", moves, r.Dropped(), cs.ReadStats())
}

// TestRecordsConservation is TestConservation for records of random sizes
// with checksums: every record pushed comes out exactly once and whole, or
// was reported ErrFull.
func TestRecordsConservation(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(8))
	producers := 6 * runtime.NumCPU()
	per := scale(80000, 10000, 8000)
	r, err := ringbuf.NewRecords(1<<16, ringbuf.WithChecksum())
	if err != nil {
		t.Fatal(err)
	}
	maxRec := r.MaxRecord()
	sizeOf := func(p, i int) int {
		x := uint64(p)*0x9e3779b97f4a7c15 ^ uint64(i)*0xbf58476d1ce4e5b9
		x ^= x >> 31
		switch x % 16 {
		case 0:
			return int((x >> 8) % uint64(maxRec+1)) // any size
		case 1:
			return 0
		}
		return int((x >> 8) % 64)
	}
	ok := make([][]atomic.Bool, producers)
	seen := make([][]atomic.Bool, producers)
	for p := range ok {
		ok[p] = make([]atomic.Bool, per)
		seen[p] = make([]atomic.Bool, per)
	}
	var failed, pushed, popped atomic.Int64
	var bad atomic.Value
	// A record is 4 bytes of producer id and 4 of sequence number, then
	// the pseudo-random payload of its size (records shorter than 8
	// bytes carry a prefix of the id and number and are checked by size).
	mk := func(dst []byte, p, i int) []byte {
		n := sizeOf(p, i)
		dst = append(dst[:0], byte(p), byte(p>>8), byte(i), byte(i>>8), byte(i>>16), byte(i>>24), 0xa5, 0x5a)
		dst = record(dst, p, i, max(0, n-8))
		return dst[:n]
	}
	check := func(got, want []byte) {
		popped.Add(1)
		if len(got) < 8 {
			return // counted; identity checked for longer ones
		}
		p := int(got[0]) | int(got[1])<<8
		i := int(got[2]) | int(got[3])<<8 | int(got[4])<<16 | int(got[5])<<24
		if p >= producers || i >= per || seen[p][i].Swap(true) || !bytes.Equal(got, mk(want, p, i)) {
			bad.CompareAndSwap(nil, string(got))
		}
	}
	var consumers sync.WaitGroup
	ctx, cancel := context.WithCancel(context.Background())
	for c := range 3 {
		consumers.Go(func() {
			var buf, want []byte
			for ctx.Err() == nil {
				got, ok := r.Pop(buf[:0])
				if !ok {
					if c == 0 {
						r.Wait(ctx)
					} else {
						runtime.Gosched()
					}
					continue
				}
				buf = got
				check(got, want)
			}
		})
	}
	stop := make(chan struct{})
	waitDisturb := disturb(stop, func(uint64) {})
	var prod sync.WaitGroup
	for p := range producers {
		prod.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(p), 4))
			var buf []byte
			for i := range per {
				buf = mk(buf, p, i)
				// A full ring counts a drop; try the record again a
				// few times, yielding to the consumers.
			retry:
				for try := 0; try < 4; try++ {
					switch err := r.Push(buf); {
					case err == nil:
						ok[p][i].Store(true)
						pushed.Add(1)
						break retry
					case errors.Is(err, ringbuf.ErrFull):
						failed.Add(1)
						// Sleep rather than yield: 6 producers per
						// CPU would otherwise starve the consumers.
						time.Sleep(time.Duration(1+rng.IntN(50)) * time.Microsecond)
					default:
						t.Errorf("Push of %d bytes: %v", len(buf), err)
						return
					}
				}
				pace(rng, i)
			}
		})
	}
	prod.Wait()
	close(stop)
	waitDisturb()
	// Let the consumers finish what is queued, then stop them.
	for available(r) {
		runtime.Gosched()
	}
	cancel()
	consumers.Wait()
	for {
		got, ok := r.Pop(nil)
		if !ok {
			break
		}
		check(got, nil)
	}

	t.Logf("pushed %d, dropped %d, popped %d; %+v", pushed.Load(), failed.Load(), popped.Load(), cs.ReadStats())
	if b := bad.Load(); b != nil {
		t.Fatalf("bad record of %d bytes: %x", len(b.(string)), b)
	}
	if r.Corrupt() != 0 {
		t.Fatalf("Corrupt = %d", r.Corrupt())
	}
	if got := r.Dropped(); got != uint64(failed.Load()) {
		t.Errorf("Dropped = %d, but %d pushes returned ErrFull", got, failed.Load())
	}
	if pushed.Load() != popped.Load() {
		t.Errorf("pushed %d, popped %d", pushed.Load(), popped.Load())
	}
	for p := range ok {
		for i := range ok[p] {
			if ok[p][i].Load() != seen[p][i].Load() && sizeOf(p, i) >= 8 {
				t.Fatalf("producer %d record %d: pushed %v, popped %v", p, i, ok[p][i].Load(), seen[p][i].Load())
			}
		}
	}
}

// available reports whether r holds a record, without taking it.
func available(r *ringbuf.Records) bool {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	return r.Wait(ctx) == nil
}
