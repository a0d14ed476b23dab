package ringbuf_test

import (
	"bytes"
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/gorseq/rseq/ringbuf"
)

func TestNewRecordsBadArguments(t *testing.T) {
	for _, n := range []int{-1, 0, ringbuf.MinBytesPerCPU - 1, ringbuf.MaxBytesPerCPU + 1} {
		_, err := ringbuf.NewRecords(n)
		if !errors.Is(err, ringbuf.ErrCapacity) {
			t.Errorf("NewRecords(%d) = %v, want ErrCapacity", n, err)
			continue
		}
		if want := "bytesPerCPU " + strconv.Itoa(n); !strings.Contains(err.Error(), want) {
			t.Errorf("NewRecords(%d) error %q does not say %q", n, err, want)
		}
	}
	if _, err := ringbuf.NewRecords(8); err == nil || err.Error() != "ringbuf: NewRecords: bytesPerCPU 8 out of range [16, 268435456]" {
		t.Errorf("NewRecords(8) error %q", err)
	}
	for _, c := range []struct{ in, cap, max int }{
		{16, 16, 8}, {17, 32, 24}, {1000, 1024, 1016}, {4096, 4096, 4088}, {1 << 20, 1 << 20, 4088},
	} {
		r := newRecords(t, c.in, ringbuf.WithChecksum())
		if r.Cap() != c.cap || r.MaxRecord() != c.max {
			t.Errorf("NewRecords(%d): Cap %d, MaxRecord %d; want %d, %d", c.in, r.Cap(), r.MaxRecord(), c.cap, c.max)
		}
	}
}

func TestRecordsTooLarge(t *testing.T) {
	r := newRecords(t, 1<<16)
	max := r.MaxRecord()
	if err := r.Push(make([]byte, max)); err != nil {
		t.Fatalf("Push of MaxRecord (%d) bytes: %v", max, err)
	}
	err := r.Push(make([]byte, max+1))
	if !errors.Is(err, ringbuf.ErrTooLarge) {
		t.Fatalf("Push of %d bytes = %v, want ErrTooLarge", max+1, err)
	}
	for _, w := range []string{strconv.Itoa(max + 1), strconv.Itoa(max)} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error %q does not say %s", err, w)
		}
	}
	if r.Dropped() != 0 {
		t.Errorf("Dropped = %d after ErrTooLarge, want 0", r.Dropped())
	}
}

// record returns the payload of record i of producer p, n bytes long: its
// content depends on all three, so a record cut, shifted or swapped with
// another shows.
func record(dst []byte, p, i, n int) []byte {
	x := uint64(p)<<40 ^ uint64(i)<<8 ^ uint64(n) ^ 0x9e3779b97f4a7c15
	for range n {
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
		dst = append(dst, byte(x))
	}
	return dst
}

// TestRecordsIntegrity pushes and pops records of every size from 0 to
// MaxRecord, with and without checksums, several per round so that they
// wrap around the rings at every offset.
func TestRecordsIntegrity(t *testing.T) {
	for _, opts := range [][]ringbuf.Option{nil, {ringbuf.WithChecksum()}} {
		name := "plain"
		if opts != nil {
			name = "checksum"
		}
		t.Run(name, func(t *testing.T) {
			r := newRecords(t, 8192, opts...)
			max := r.MaxRecord()
			var buf, want []byte
			sizes := make([]int, 0, max+1)
			for n := range max + 1 {
				sizes = append(sizes, n)
			}
			// Groups of three: small, large, odd sizes side by side.
			for g := 0; g < len(sizes); g += 3 {
				group := sizes[g:min(g+3, len(sizes))]
				type pushed struct{ slot, n int }
				var ps []pushed
				for _, n := range group {
					want = record(want[:0], 0, g, n)
					s, err := r.PushSlot(want)
					if errors.Is(err, ringbuf.ErrFull) {
						continue // the ring had no room for this one too
					}
					if err != nil {
						t.Fatalf("Push of %d bytes: %v", n, err)
					}
					ps = append(ps, pushed{s, n})
				}
				if len(ps) == 0 {
					t.Fatalf("group %v: every push was full on empty rings", group)
				}
				for _, p := range ps {
					got, ok := r.PopSlot(p.slot, buf[:0])
					want = record(want[:0], 0, g, p.n)
					if !ok || !bytes.Equal(got, want) {
						t.Fatalf("record of %d bytes in slot %d: got %d bytes (ok %v)", p.n, p.slot, len(got), ok)
					}
					buf = got
				}
			}
			if got, ok := r.Pop(nil); ok {
				t.Fatalf("Pop on empty rings returned %d bytes", len(got))
			}
			if r.Corrupt() != 0 {
				t.Fatalf("Corrupt = %d", r.Corrupt())
			}
		})
	}
}

func TestRecordsFull(t *testing.T) {
	r := newRecords(t, 256)
	rec := make([]byte, 20) // 32 bytes with header and padding
	var slots []int
	for len(slots) <= 8*ringbuf.Slots() {
		s, err := r.PushSlot(rec)
		if errors.Is(err, ringbuf.ErrFull) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		slots = append(slots, s)
	}
	if len(slots) < 8 || len(slots) > 8*ringbuf.Slots() {
		t.Fatalf("%d records of 32 bytes went into %d rings of 256", len(slots), ringbuf.Slots())
	}
	if r.Dropped() != 1 {
		t.Fatalf("Dropped = %d, want 1", r.Dropped())
	}
	n := 0
	for {
		got, ok := r.Pop(nil)
		if !ok {
			break
		}
		if len(got) != len(rec) {
			t.Fatalf("record of %d bytes, want %d", len(got), len(rec))
		}
		n++
	}
	if n != len(slots) {
		t.Fatalf("popped %d records, pushed %d", n, len(slots))
	}
}

// TestRecordsWrap checks that a record that cannot fit before the end of a
// ring goes to its start, after a wrap marker, even when the record is as
// large as the ring allows.
func TestRecordsWrap(t *testing.T) {
	r := newRecords(t, 64)
	var buf, want []byte
	for i := range 200 {
		n := []int{0, 5, 56, 17, 40, 8, 1}[i%7]
		want = record(want[:0], 1, i, n)
		s, err := r.PushSlot(want)
		if err != nil {
			t.Fatalf("push %d of %d bytes on an empty ring: %v", i, n, err)
		}
		got, ok := r.PopSlot(s, buf[:0])
		if !ok || !bytes.Equal(got, want) {
			t.Fatalf("push %d of %d bytes: got %d bytes (ok %v)", i, n, len(got), ok)
		}
		buf = got
	}
}

// TestRecordsCorrupt damages a queued record and checks that Pop never
// returns it and counts it.
func TestRecordsCorrupt(t *testing.T) {
	for _, c := range []struct {
		name     string
		opts     []ringbuf.Option
		off      int // byte damaged, from the record's header
		detected bool
	}{
		{"payload/checksum", []ringbuf.Option{ringbuf.WithChecksum()}, 8 + 3, true},
		{"checksum-field", []ringbuf.Option{ringbuf.WithChecksum()}, 5, true},
		{"length/plain", nil, 2, true},
		{"payload/plain", nil, 8 + 3, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := newRecords(t, 1024, c.opts...)
			want := record(nil, 2, 0, 30)
			s, err := r.PushSlot(want)
			if err != nil {
				t.Fatal(err)
			}
			if !r.Damage(s, c.off) {
				t.Fatal("nothing to damage")
			}
			got, ok := r.Pop(nil)
			if c.detected {
				if ok || r.Corrupt() != 1 {
					t.Fatalf("damaged record: Pop = %d bytes, %v; Corrupt = %d", len(got), ok, r.Corrupt())
				}
			} else if !ok || bytes.Equal(got, want) || len(got) != len(want) || r.Corrupt() != 0 {
				t.Fatalf("without a checksum the damaged payload comes back as is: Pop = %d bytes, %v; Corrupt = %d",
					len(got), ok, r.Corrupt())
			}
			// The ring goes on working.
			if _, err := r.PushSlot(want); err != nil {
				t.Fatal(err)
			}
			if got, ok := r.Pop(nil); !ok || !bytes.Equal(got, want) {
				t.Fatalf("after the damage: Pop = %d bytes, %v", len(got), ok)
			}
		})
	}
}
