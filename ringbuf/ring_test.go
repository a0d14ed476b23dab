package ringbuf_test

import (
	"errors"
	"strings"
	"testing"
	"unsafe"

	"github.com/gorseq/rseq/internal/cs"
	"github.com/gorseq/rseq/ringbuf"
)

func TestNewBadArguments(t *testing.T) {
	for _, n := range []int{0, -1, ringbuf.MaxPerCPU + 1} {
		_, err := ringbuf.New[uint64](n)
		if !errors.Is(err, ringbuf.ErrCapacity) {
			t.Errorf("New[uint64](%d) = %v, want ErrCapacity", n, err)
			continue
		}
		if want := "perCPU " + itoa(n); !strings.Contains(err.Error(), want) {
			t.Errorf("New[uint64](%d) error %q does not say %q", n, err, want)
		}
	}
	if _, err := ringbuf.New[uint64](0); err == nil || err.Error() != "ringbuf: New[uint64]: perCPU 0 out of range [1, 16777216]" {
		t.Errorf("New[uint64](0) error %q", err)
	}
	// A ring of 2^18 values of 4 KiB would pass 1 GiB.
	_, err := ringbuf.New[[4096]byte](ringbuf.MaxPerCPU)
	if want := "ringbuf: New[[4096]uint8]: perCPU 16777216 out of range [1, 131072]"; !errors.Is(err, ringbuf.ErrCapacity) ||
		err.Error() != want {
		t.Errorf("New[[4096]byte](MaxPerCPU) = %v, want ErrCapacity and %q", err, want)
	}
	type inner struct {
		A int
		P *int
	}
	type nested struct {
		X [2]inner
	}
	type ok struct {
		A [3]uint16
		B struct{ C float64 }
	}
	check := func(name string, err error, want ...string) {
		t.Helper()
		if !errors.Is(err, ringbuf.ErrType) {
			t.Errorf("New[%s] = %v, want ErrType", name, err)
			return
		}
		for _, w := range want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("New[%s] error %q does not say %q", name, err, w)
			}
		}
	}
	_, err = ringbuf.New[*int](1)
	check("*int", err, "*int")
	_, err = ringbuf.New[string](1)
	check("string", err, "string")
	_, err = ringbuf.New[[]byte](1)
	check("[]byte", err, "[]uint8", "slice")
	_, err = ringbuf.New[any](1)
	check("any", err, "interface")
	_, err = ringbuf.New[map[int]int](1)
	check("map", err, "map")
	_, err = ringbuf.New[chan int](1)
	check("chan", err, "chan")
	_, err = ringbuf.New[func()](1)
	check("func", err, "func")
	_, err = ringbuf.New[unsafe.Pointer](1)
	check("unsafe.Pointer", err, "unsafe.Pointer")
	_, err = ringbuf.New[nested](1)
	check("nested", err, "ringbuf_test.nested", ".X[0].P")
	_, err = ringbuf.New[[cs.MaxMemcpy + 1]byte](1)
	check("[4097]byte", err, "4097", "4096")

	for name, f := range map[string]func() error{
		"ok":         func() error { _, err := ringbuf.New[ok](1); return err },
		"[0]*int":    func() error { _, err := ringbuf.New[[0]*int](1); return err },
		"struct{}":   func() error { _, err := ringbuf.New[struct{}](1); return err },
		"[4096]byte": func() error { _, err := ringbuf.New[[cs.MaxMemcpy]byte](1); return err },
		"uintptr":    func() error { _, err := ringbuf.New[uintptr](1); return err },
		"complex":    func() error { _, err := ringbuf.New[complex128](1); return err },
	} {
		if err := f(); err != nil {
			t.Errorf("New[%s]: %v", name, err)
		}
	}
}

func itoa(n int) string {
	if n < 0 {
		return "-" + itoa(-n)
	}
	if n < 10 {
		return string(rune('0' + n))
	}
	return itoa(n/10) + string(rune('0'+n%10))
}

func TestCap(t *testing.T) {
	for _, c := range []struct{ in, want int }{{1, 1}, {2, 2}, {3, 4}, {5, 8}, {1000, 1024}, {1 << 20, 1 << 20}} {
		r := newRing[uint32](t, c.in)
		if r.Cap() != c.want {
			t.Errorf("New(%d).Cap() = %d, want %d", c.in, r.Cap(), c.want)
		}
	}
}

// fill pushes consecutive values until a push reports false, and returns
// how many went in, with the slot of each.
func fill[T any](t *testing.T, r *ringbuf.Ring[T], mk func(i int) T) []int {
	t.Helper()
	var slots []int
	for i := 0; ; i++ {
		s, ok := r.PushSlot(mk(i))
		if !ok {
			return slots
		}
		slots = append(slots, s)
		if len(slots) > r.Cap()*ringbuf.Slots() {
			t.Fatalf("pushed %d values into %d rings of %d", len(slots), ringbuf.Slots(), r.Cap())
		}
	}
}

func testRoundTrip[T comparable](t *testing.T, mk func(i int) T) {
	r := newRing[T](t, 8)
	for round := range 3 {
		slots := fill(t, r, mk)
		if len(slots) < r.Cap() {
			t.Fatalf("round %d: a push failed after %d values, capacity %d", round, len(slots), r.Cap())
		}
		if r.Len() != len(slots) {
			t.Errorf("round %d: Len = %d after %d pushes", round, r.Len(), len(slots))
		}
		if r.Dropped() != uint64(round+1) {
			t.Errorf("round %d: Dropped = %d, want %d", round, r.Dropped(), round+1)
		}
		// Each slot's ring returns its values in push order.
		for s := range ringbuf.Slots() {
			for i, got := range slots {
				if got != s {
					continue
				}
				v, ok := r.PopSlot(s)
				if !ok || v != mk(i) {
					t.Fatalf("round %d: slot %d: PopSlot = %v, %v; want value %d", round, s, v, ok, i)
				}
			}
			if v, ok := r.PopSlot(s); ok {
				t.Fatalf("round %d: slot %d: PopSlot = %v after its values", round, s, v)
			}
		}
		if _, ok := r.Pop(); ok || r.Len() != 0 {
			t.Fatalf("round %d: Pop succeeded or Len = %d on empty rings", round, r.Len())
		}
	}
}

func TestRoundTrip(t *testing.T) {
	t.Run("uint64", func(t *testing.T) { testRoundTrip(t, func(i int) uint64 { return uint64(i)*0x9e3779b97f4a7c15 + 1 }) })
	t.Run("byte", func(t *testing.T) { testRoundTrip(t, func(i int) byte { return byte(i + 1) }) })
	t.Run("3bytes", func(t *testing.T) { testRoundTrip(t, func(i int) [3]byte { return [3]byte{byte(i), 7, byte(i >> 8)} }) })
	type odd struct {
		A uint32
		B [5]byte
		C int16
	}
	t.Run("12bytes", func(t *testing.T) {
		testRoundTrip(t, func(i int) odd { return odd{uint32(i), [5]byte{1, 2, byte(i), 4, 5}, int16(-i)} })
	})
	t.Run("100bytes", func(t *testing.T) {
		testRoundTrip(t, func(i int) [100]byte {
			var v [100]byte
			for k := range v {
				v[k] = byte(i*31 + k)
			}
			return v
		})
	})
	t.Run("4096bytes", func(t *testing.T) {
		testRoundTrip(t, func(i int) [cs.MaxMemcpy]byte {
			var v [cs.MaxMemcpy]byte
			for k := range v {
				v[k] = byte(i*7 + k)
			}
			return v
		})
	})
	t.Run("empty", func(t *testing.T) { testRoundTrip(t, func(int) struct{} { return struct{}{} }) })
}

func TestDrain(t *testing.T) {
	r := newRing[int](t, 64)
	const n = 40
	for i := range n {
		if !r.Push(i) {
			t.Fatalf("push %d failed", i)
		}
	}
	// Stop early: the rest stays.
	var got []int
	for v := range r.Drain {
		got = append(got, v)
		if len(got) == 10 {
			break
		}
	}
	if len(got) != 10 || r.Len() != n-10 {
		t.Fatalf("early stop: got %d values, Len %d", len(got), r.Len())
	}
	r.Drain(func(v int) bool { got = append(got, v); return true })
	if len(got) != n || r.Len() != 0 {
		t.Fatalf("Drain: got %d values, Len %d", len(got), r.Len())
	}
	seen := make([]bool, n)
	for _, v := range got {
		if seen[v] {
			t.Fatalf("value %d drained twice", v)
		}
		seen[v] = true
	}
}

func TestLayout(t *testing.T) {
	l := ringbuf.SlotLayout()
	if l.Size != 2*cs.CacheLine {
		t.Errorf("slot header is %d bytes, want %d", l.Size, 2*cs.CacheLine)
	}
	if l.Offsets["tail"] != 0 || l.Offsets["head"] != cs.CacheLine {
		t.Errorf("tail at %d, head at %d: want 0 and %d", l.Offsets["tail"], l.Offsets["head"], cs.CacheLine)
	}
	if l.Offsets["limit"] >= cs.CacheLine || l.Offsets["dropped"] >= cs.CacheLine {
		t.Errorf("producer words off the producer line: %v", l.Offsets)
	}
	n := ringbuf.NotifierLayout()
	if n.Offsets["waiters"] != cs.CacheLine || n.Offsets["wake"] != 2*cs.CacheLine {
		t.Errorf("notifier offsets %v: waiters must have a line of its own", n.Offsets)
	}
	if s := ringbuf.RecQueueSize(); s%cs.CacheLine != 0 {
		t.Errorf("recQueue is %d bytes, not a multiple of %d", s, cs.CacheLine)
	}
}

func TestPopN(t *testing.T) {
	r := newRing[uint32](t, 16)
	if got := r.PopN(nil, 10); len(got) != 0 {
		t.Fatalf("PopN on empty rings = %v", got)
	}
	for round := range 20 {
		var slots []int
		for i := range 13 {
			s, ok := r.PushSlot(uint32(round*100 + i))
			if !ok {
				t.Fatalf("round %d: push %d failed", round, i)
			}
			slots = append(slots, s)
		}
		if got := r.PopN(nil, 0); len(got) != 0 {
			t.Fatalf("PopN(nil, 0) = %v", got)
		}
		prefix := []uint32{7, 7}
		got := r.PopN(prefix, 5)
		got = r.PopN(got, 100)
		if len(got) != 2+13 || got[0] != 7 || got[1] != 7 {
			t.Fatalf("round %d: PopN = %v", round, got)
		}
		// Per ring, in push order.
		pos := map[uint32]int{}
		for k, v := range got[2:] {
			pos[v] = k
		}
		last := map[int]int{}
		for i, s := range slots {
			k, ok := pos[uint32(round*100+i)]
			if !ok {
				t.Fatalf("round %d: value %d missing from %v", round, i, got)
			}
			if prev, ok := last[s]; ok && k < prev {
				t.Fatalf("round %d: slot %d out of order in %v", round, s, got)
			}
			last[s] = k
		}
		if r.Len() != 0 {
			t.Fatalf("Len = %d after PopN took everything", r.Len())
		}
	}
}
