package ringbuf_test

import (
	"bytes"
	"testing"

	"github.com/gorseq/rseq/ringbuf"
)

// FuzzRecordsDamaged: records of fuzzed sizes are pushed into a checksummed
// Records, then bits of the ring's bytes are flipped at fuzzed offsets (a
// torn or hostile record). Consumers must never crash, never return a record
// that was not pushed, and the ring must keep working afterwards.
func FuzzRecordsDamaged(f *testing.F) {
	f.Add([]byte{10, 20, 30}, []byte{5})
	f.Add([]byte{0, 0, 200}, []byte{0, 1, 2, 3})
	f.Add([]byte{255, 1}, []byte{9, 100, 200})
	f.Add([]byte{}, []byte{7})
	f.Fuzz(func(t *testing.T, sizes, damage []byte) {
		r := newRecords(t, 1024, ringbuf.WithChecksum())
		pushed := map[string]int{}
		slot := -1
		for i, n := range sizes {
			if i == 8 {
				break
			}
			rec := record(nil, 7, i, int(n))
			s, err := r.PushSlot(rec)
			if err != nil {
				continue // full: fine, it is counted as dropped
			}
			if slot < 0 {
				slot = s
			}
			pushed[string(rec)]++
		}
		if slot >= 0 {
			for _, off := range damage {
				r.Damage(slot, int(off))
			}
		}
		var buf []byte
		for range 2 * len(sizes) {
			got, ok := r.Pop(buf[:0])
			if !ok {
				break
			}
			if pushed[string(got)] == 0 {
				t.Fatalf("Pop returned %d bytes that were never pushed (or twice)", len(got))
			}
			pushed[string(got)]--
			buf = got
		}
		// Whatever the damage, the ring goes on working.
		want := record(nil, 8, 0, 40)
		if _, err := r.PushSlot(want); err != nil {
			t.Fatalf("push after damage: %v", err)
		}
		for {
			got, ok := r.Pop(nil)
			if !ok {
				t.Fatal("the record pushed after the damage was lost")
			}
			if bytes.Equal(got, want) {
				break
			}
			if pushed[string(got)] == 0 {
				t.Fatalf("Pop returned %d bytes that were never pushed", len(got))
			}
			pushed[string(got)]--
		}
	})
}
