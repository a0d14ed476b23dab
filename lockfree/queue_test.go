package lockfree_test

import (
	"errors"
	"runtime"
	"sync"
	"testing"
	"time"
	"unsafe"

	"github.com/gorseq/rseq/internal/torture"
	"github.com/gorseq/rseq/lockfree"
)

func TestNewQueueCapacity(t *testing.T) {
	for _, tc := range []struct{ capacity, cap int }{
		{1, 1}, {2, 2}, {3, 4}, {5, 8}, {1000, 1024}, {1024, 1024}, {1025, 2048},
	} {
		q, err := lockfree.NewQueue[int](tc.capacity)
		if err != nil {
			t.Fatalf("NewQueue(%d): %v", tc.capacity, err)
		}
		if got := q.Cap(); got != tc.cap {
			t.Errorf("NewQueue(%d).Cap() = %d, want %d", tc.capacity, got, tc.cap)
		}
		if got := q.Len(); got != 0 {
			t.Errorf("NewQueue(%d).Len() = %d, want 0", tc.capacity, got)
		}
	}
	for _, tc := range []struct {
		capacity int
		msg      string
	}{
		{0, "lockfree: NewQueue: capacity 0 out of range [1, 1073741824]"},
		{-1, "lockfree: NewQueue: capacity -1 out of range [1, 1073741824]"},
		{lockfree.MaxCapacity + 1, "lockfree: NewQueue: capacity 1073741825 out of range [1, 1073741824]"},
	} {
		q, err := lockfree.NewQueue[int](tc.capacity)
		if q != nil || err == nil {
			t.Errorf("NewQueue(%d) = %v, %v; want nil, error", tc.capacity, q, err)
			continue
		}
		if !errors.Is(err, lockfree.ErrCapacity) {
			t.Errorf("NewQueue(%d) error %q does not wrap ErrCapacity", tc.capacity, err)
		}
		if err.Error() != tc.msg {
			t.Errorf("NewQueue(%d) error %q, want %q", tc.capacity, err, tc.msg)
		}
	}
}

func TestQueueLayout(t *testing.T) {
	l := lockfree.QueueLayout()
	tail, head, slots := l.Offsets["tail"], l.Offsets["head"], l.Offsets["slots"]
	const line = lockfree.CacheLine
	if tail < line {
		t.Errorf("tail at offset %d shares a %d-byte line with what precedes the Queue", tail, line)
	}
	if head-tail < line {
		t.Errorf("tail at %d and head at %d are closer than a %d-byte line", tail, head, line)
	}
	if slots-head < line {
		t.Errorf("head at %d and slots at %d are closer than a %d-byte line", head, slots, line)
	}
	if tail%line != 0 || head%line != 0 || slots%line != 0 {
		t.Errorf("tail, head, slots at %d, %d, %d: not multiples of %d; padding miscomputed", tail, head, slots, line)
	}
	// Three padded lines, then slots and mask; rounded up to the 8-byte
	// alignment of atomic.Uint64, which matters on 32-bit platforms.
	want := (3*line + unsafe.Sizeof([]int(nil)) + unsafe.Sizeof(uint64(0)) + 7) &^ 7
	if l.Size != want {
		t.Errorf("unsafe.Sizeof(Queue[int]) = %d, want %d", l.Size, want)
	}
}

func TestQueueSequential(t *testing.T) {
	q, _ := lockfree.NewQueue[string](4)
	if v, ok := q.Pop(); ok {
		t.Fatalf("Pop on empty queue = %q, true", v)
	}
	for _, s := range []string{"a", "b", "c", "d"} {
		if !q.Push(s) {
			t.Fatalf("Push(%q) on queue of Len %d = false", s, q.Len())
		}
	}
	if q.Push("e") {
		t.Fatal("Push on full queue = true")
	}
	if got := q.Len(); got != 4 {
		t.Fatalf("Len() = %d, want 4", got)
	}
	for lap := range 3 { // wrap around the ring a few times
		for _, want := range []string{"a", "b", "c", "d"} {
			if v, ok := q.Pop(); !ok || v != want {
				t.Fatalf("lap %d: Pop() = %q, %v; want %q, true", lap, v, ok, want)
			}
			if !q.Push(want) {
				t.Fatalf("lap %d: Push(%q) after Pop = false", lap, want)
			}
		}
	}
}

// TestQueueClearsSlots checks that a popped element is not kept alive by
// the slot it occupied.
func TestQueueClearsSlots(t *testing.T) {
	q, _ := lockfree.NewQueue[*[64]byte](4)
	collected := make(chan struct{})
	func() {
		p := new([64]byte)
		runtime.AddCleanup(p, func(ch chan struct{}) { close(ch) }, collected)
		q.Push(p)
		if got, ok := q.Pop(); !ok || got != p {
			t.Fatalf("Pop() = %p, %v; want %p, true", got, ok, p)
		}
	}()
	deadline := time.Now().Add(5 * time.Second)
	for {
		runtime.GC()
		select {
		case <-collected:
			runtime.KeepAlive(q)
			return
		case <-time.After(10 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatal("popped element still reachable after GC: slot not cleared")
		}
	}
}

// refQueue is the reference model: a bounded FIFO queue guarded by a mutex.
type refQueue struct {
	mu  sync.Mutex
	buf []int
	cap int
}

func (r *refQueue) push(v int) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.buf) == r.cap {
		return false
	}
	r.buf = append(r.buf, v)
	return true
}

func (r *refQueue) pop() (int, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.buf) == 0 {
		return 0, false
	}
	v := r.buf[0]
	r.buf = r.buf[1:]
	return v, true
}

func (r *refQueue) len() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.buf)
}

// TestQueueModel runs random sequences of operations on a Queue and on the
// reference model and requires identical results.
func TestQueueModel(t *testing.T) {
	f := func(capacity, pushBias uint8, ops []uint8) bool {
		q, err := lockfree.NewQueue[int](int(capacity%20) + 1)
		if err != nil {
			t.Fatal(err)
		}
		ref := &refQueue{cap: q.Cap()}
		for i, op := range ops {
			if op < pushBias {
				if got, want := q.Push(i), ref.push(i); got != want {
					t.Logf("op %d: Push(%d) = %v, model says %v", i, i, got, want)
					return false
				}
			} else {
				v, ok := q.Pop()
				wv, wok := ref.pop()
				if v != wv || ok != wok {
					t.Logf("op %d: Pop() = %d, %v; model says %d, %v", i, v, ok, wv, wok)
					return false
				}
			}
			if got, want := q.Len(), ref.len(); got != want {
				t.Logf("op %d: Len() = %d, model says %d", i, got, want)
				return false
			}
		}
		return true
	}
	checkModel(t, f)
}

// TestQueueLinearizable records many small concurrent histories and checks
// each against the queue specification.
func TestQueueLinearizable(t *testing.T) {
	r, hr, b := startHistories(t, 1, 2)
	for i := 0; b.more(i); i++ {
		capacity := 1 << r.IntN(3)
		q, _ := lockfree.NewQueue[int](capacity)
		h := hr.recordPushPop(randomPlans(r, 3, 7, 0.5), q.Push, q.Pop)
		if !linearizable(h, queueSpec(capacity, h)) {
			t.Fatalf("history %d, capacity %d, not linearizable:\n%v", i, capacity, h)
		}
	}
}

func TestQueueConservation(t *testing.T) {
	for _, tc := range []struct{ capacity, producers, consumers int }{
		{1, 2, 2}, {4, 4, 4}, {256, 4, 4}, {64, 1, 4}, {64, 4, 1},
	} {
		q, _ := lockfree.NewQueue[int](tc.capacity)
		per := torture.Scale(200000, 10000, 5000) / tc.producers
		conserve(t, tc.producers, tc.consumers, per, true, q.Push, q.Pop)
		if t.Failed() {
			t.Fatalf("capacity %d, %d producers, %d consumers", tc.capacity, tc.producers, tc.consumers)
		}
		if n := q.Len(); n != 0 {
			t.Errorf("Len() = %d after draining, want 0", n)
		}
	}
}

// TestQueueTryPush: TryPush is Push, reporting contention: alone, it never
// meets any; on a full queue it reports false.
func TestQueueTryPush(t *testing.T) {
	q, err := lockfree.NewQueue[int](4)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 4 {
		if ok, contended := q.TryPush(i); !ok || contended {
			t.Fatalf("TryPush %d on a queue of %d = %v, %v", i, q.Len(), ok, contended)
		}
	}
	if ok, _ := q.TryPush(9); ok {
		t.Fatal("TryPush on a full queue succeeded")
	}
	for i := range 4 {
		if v, ok := q.Pop(); !ok || v != i {
			t.Fatalf("Pop = %d, %v; want %d", v, ok, i)
		}
	}
}
