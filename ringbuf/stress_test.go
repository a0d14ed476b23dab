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

	"github.com/gorseq/rseq/internal/torture"
	"github.com/gorseq/rseq/ringbuf"
)

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

// ledger records, for one subtest, which values each producer pushed
// successfully and which values the consumers got, and checks that they
// match exactly: every value pushed popped once, no value popped that was
// not pushed. Producers 0 to torture.Workers()-1 are the Hammer workers; the
// churned threads take ids from there on.
type ledger struct {
	pushed [][]int // pushed[w]: sequence numbers worker w pushed, written by w only
	mu     sync.Mutex
	churn  map[int][]int // by churned threads, under mu
	nextID atomic.Int64
	failed atomic.Int64 // pushes that found the ring full
	popped [][]uint64   // popped[c]: values consumer c got, written by c only
}

func newLedger(consumers int) *ledger {
	l := &ledger{pushed: make([][]int, torture.Workers()), churn: map[int][]int{}, popped: make([][]uint64, consumers+1)}
	l.nextID.Store(int64(torture.Workers()))
	return l
}

// check compares pushes and pops and returns the number of violations,
// reporting the first few.
func (l *ledger) check(t *testing.T, what string) (violations int64) {
	report := func(format string, args ...any) {
		violations++
		if violations <= 5 {
			t.Errorf(format, args...)
		}
	}
	want := make([][]bool, int(l.nextID.Load()))
	mark := func(p int, seqs []int) {
		n := 0
		for _, i := range seqs {
			n = max(n, i+1)
		}
		want[p] = make([]bool, n)
		for _, i := range seqs {
			want[p][i] = true
		}
	}
	for w, seqs := range l.pushed {
		mark(w, seqs)
	}
	for p, seqs := range l.churn {
		mark(p, seqs)
	}
	seen := make([][]bool, len(want))
	for p := range want {
		seen[p] = make([]bool, len(want[p]))
	}
	var npushed, npopped int
	for p := range want {
		for _, ok := range want[p] {
			if ok {
				npushed++
			}
		}
	}
	for _, vs := range l.popped {
		npopped += len(vs)
		for _, v := range vs {
			p, i := split(v)
			switch {
			case p >= len(want) || i >= len(want[p]) || !want[p][i]:
				report("%s %d of producer %d popped but never pushed", what, i, p)
			case seen[p][i]:
				report("%s %d of producer %d popped twice", what, i, p)
			default:
				seen[p][i] = true
			}
		}
	}
	for p := range want {
		for i := range want[p] {
			if want[p][i] && !seen[p][i] {
				report("%s %d of producer %d pushed but never popped", what, i, p)
			}
		}
	}
	t.Logf("%d producers pushed %d, consumers popped %d", len(want), npushed, npopped)
	return violations
}

// TestConservation checks that every value pushed is popped exactly once,
// or was reported dropped: 6 x CPUs producers, several consumers (Pop,
// Drain, PopN and Wait), GOMAXPROCS 8, under each fault injector of
// internal/torture, alone and together. Churned threads push too. The ring
// is small, so that it fills and drops: its capacity in all is about 1024
// values whatever the slot count (512 per slot with 2 slots, 16 with 64),
// so that more slots do not hide the full-ring path.
func TestConservation(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(8))
	r := newRing[uint64](t, max(16, 1024/ringbuf.Slots()))
	const consumers, churnPer = 4, 64
	// cur is the running subtest's ledger: nil from the end of its body
	// (when the injectors have stopped) until the next body starts, for
	// the injectors start before the body does and churned threads must
	// not push then.
	var cur atomic.Pointer[ledger]
	churn := func() {
		l := cur.Load()
		if l == nil {
			return
		}
		p := int(l.nextID.Add(1) - 1)
		var seqs []int
		for i := range churnPer {
			if r.Push(value(p, i)) {
				seqs = append(seqs, i)
			} else {
				l.failed.Add(1)
			}
		}
		l.mu.Lock()
		l.churn[p] = seqs
		l.mu.Unlock()
	}
	torture.Stress(t, churn, func(t *testing.T) (int64, func() int64) {
		dropped0 := r.Dropped()
		l := newLedger(consumers)
		cur.Store(l)
		ctx, cancel := context.WithCancel(context.Background())
		var cons sync.WaitGroup
		for c := range consumers {
			cons.Go(func() {
				rng := rand.New(rand.NewPCG(uint64(c), 1))
				var buf []uint64
				take := func(v uint64) { l.popped[c] = append(l.popped[c], v) }
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
		rngs := make([]*rand.Rand, torture.Workers())
		for w := range rngs {
			rngs[w] = rand.New(rand.NewPCG(uint64(w), 2))
		}
		ops := torture.Hammer(torture.Workers(), torture.StressTime(), func(w, i int) {
			if r.Push(value(w, i)) {
				l.pushed[w] = append(l.pushed[w], i)
			} else {
				l.failed.Add(1)
				runtime.Gosched() // let the consumers catch up
			}
			pace(rngs[w], i)
		})
		cancel()
		cons.Wait()
		return ops, func() int64 {
			// The injectors have stopped: every churned thread's push
			// has returned. Take what is left, leaving the ring empty.
			cur.Store(nil)
			r.Drain(func(v uint64) bool { l.popped[consumers] = append(l.popped[consumers], v); return true })
			v := l.check(t, "value")
			if got := r.Dropped() - dropped0; got != uint64(l.failed.Load()) {
				t.Errorf("Dropped grew by %d, but %d pushes reported false", got, l.failed.Load())
				v++
			}
			if l.failed.Load() == 0 {
				t.Log("no push found a full ring")
			}
			return v
		}
	})
}

// TestFIFOPerRing checks that each ring is FIFO: producers, each locked to
// its thread, record the slot each push went to; one consumer per slot pops
// that slot's ring only. For every slot and producer, the values popped
// must be exactly the values pushed to that slot, in push order.
func TestFIFOPerRing(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(8))
	nslots := ringbuf.Slots()
	r := newRing[uint64](t, 128)
	torture.Stress(t, nil, func(t *testing.T) (int64, func() int64) {
		producers := torture.Workers()
		slotOf := make([][]int16, producers) // slotOf[p][i]: where push i went, -1 if dropped (slots < 4096)
		popped := make([][][]int, nslots)    // popped[s][p]: sequence numbers, in pop order
		var done atomic.Bool
		var consumers sync.WaitGroup
		for s := range nslots {
			popped[s] = make([][]int, producers)
			consumers.Go(func() {
				for {
					v, ok := r.PopSlot(s)
					if !ok {
						if !done.Load() {
							runtime.Gosched()
							continue
						}
						// Every push has returned: one more look sees
						// whatever is left (a value it finds is counted).
						if v, ok = r.PopSlot(s); !ok {
							return
						}
					}
					p, i := split(v)
					popped[s][p] = append(popped[s][p], i)
				}
			})
		}
		rngs := make([]*rand.Rand, producers)
		for w := range rngs {
			rngs[w] = rand.New(rand.NewPCG(uint64(w), 3))
		}
		ops := torture.Hammer(producers, torture.StressTime(), func(p, i int) {
			if i == 0 {
				// Never unlocked: the thread exits with the worker.
				runtime.LockOSThread()
			}
			s, ok := r.PushSlot(value(p, i))
			if !ok {
				s = -1
				runtime.Gosched()
			}
			slotOf[p] = append(slotOf[p], int16(s))
			pace(rngs[p], i)
		})
		done.Store(true)
		consumers.Wait()
		return ops, func() (violations int64) {
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
						t.Errorf("slot %d, producer %d: popped %d values, pushed %d", s, p, len(got), len(want))
						violations++
						continue
					}
					for k := range want {
						if got[k] != want[k] {
							t.Errorf("slot %d, producer %d: pop %d is value %d, want %d (FIFO broken)", s, p, k, got[k], want[k])
							violations++
							break
						}
					}
				}
				for i := 1; i < len(slotOf[p]); i++ {
					if slotOf[p][i] != slotOf[p][i-1] {
						moves++
					}
				}
			}
			t.Logf("slot changes seen by producers: %d; dropped %d in all", moves, r.Dropped())
			return violations
		}
	})
}

// TestRecordsConservation is TestConservation for records of random sizes
// with checksums: every record pushed comes out exactly once and whole, or
// was reported ErrFull.
func TestRecordsConservation(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(8))
	// 128 KiB in all whatever the slot count (at least 8 KiB per slot, so
	// that records of every size up to cs.MaxMemcpy fit): more slots do not
	// hide the full-ring path.
	r := newRecords(t, max(8<<10, (128<<10)/ringbuf.Slots()), ringbuf.WithChecksum())
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
	// A record is 4 bytes of producer id and 4 of sequence number, then
	// the pseudo-random payload of its size (records shorter than 8
	// bytes carry a prefix of the id and number and are checked by size).
	mk := func(dst []byte, p, i int) []byte {
		n := sizeOf(p, i)
		dst = append(dst[:0], byte(p), byte(p>>8), byte(i), byte(i>>8), byte(i>>16), byte(i>>24), 0xa5, 0x5a)
		dst = record(dst, p, i, max(0, n-8))
		return dst[:n]
	}
	const consumers = 3
	torture.Stress(t, nil, func(t *testing.T) (int64, func() int64) {
		producers := torture.Workers()
		l := newLedger(consumers)
		var failed, short atomic.Int64 // short: pushed and popped records under 8 bytes
		var bad atomic.Value
		dropped0 := r.Dropped()
		// check takes a record a consumer got: its identity, when it
		// is long enough to carry one, goes to the ledger.
		check := func(c int, got, want []byte) {
			if len(got) < 8 {
				short.Add(-1)
				return
			}
			p := int(got[0]) | int(got[1])<<8
			i := int(got[2]) | int(got[3])<<8 | int(got[4])<<16 | int(got[5])<<24
			if p >= producers || !bytes.Equal(got, mk(want, p, i)) {
				bad.CompareAndSwap(nil, string(got))
				return
			}
			l.popped[c] = append(l.popped[c], value(p, i))
		}
		var cons sync.WaitGroup
		ctx, cancel := context.WithCancel(context.Background())
		for c := range consumers {
			cons.Go(func() {
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
					check(c, got, want)
				}
			})
		}
		rngs := make([]*rand.Rand, producers)
		bufs := make([][]byte, producers)
		for w := range rngs {
			rngs[w] = rand.New(rand.NewPCG(uint64(w), 4))
		}
		ops := torture.Hammer(producers, torture.StressTime(), func(p, i int) {
			rng := rngs[p]
			bufs[p] = mk(bufs[p], p, i)
			// A full ring counts a drop; try the record again a few
			// times, yielding to the consumers.
			for range 4 {
				switch err := r.Push(bufs[p]); {
				case err == nil:
					if len(bufs[p]) < 8 {
						short.Add(1)
					} else {
						l.pushed[p] = append(l.pushed[p], i)
					}
					pace(rng, i)
					return
				case errors.Is(err, ringbuf.ErrFull):
					failed.Add(1)
					// Sleep rather than yield: 6 producers per CPU
					// would otherwise starve the consumers.
					time.Sleep(time.Duration(1+rng.IntN(50)) * time.Microsecond)
				default:
					bad.CompareAndSwap(nil, "Push: "+err.Error())
					return
				}
			}
			pace(rng, i)
		})
		cancel()
		cons.Wait()
		return ops, func() int64 {
			for {
				got, ok := r.Pop(nil)
				if !ok {
					break
				}
				check(consumers, got, nil)
			}
			v := l.check(t, "record")
			if b := bad.Load(); b != nil {
				t.Errorf("bad record of %d bytes: %x", len(b.(string)), b)
				v++
			}
			if n := short.Load(); n != 0 {
				t.Errorf("records under 8 bytes: pushed - popped = %d", n)
				v++
			}
			if n := r.Corrupt(); n != 0 {
				t.Errorf("Corrupt = %d", n)
				v++
			}
			if got := r.Dropped() - dropped0; got != uint64(failed.Load()) {
				t.Errorf("Dropped grew by %d, but %d pushes returned ErrFull", got, failed.Load())
				v++
			}
			return v
		}
	})
}
