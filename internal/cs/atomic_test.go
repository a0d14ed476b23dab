package cs_test

import (
	"math"
	"sync/atomic"
	"testing"

	"github.com/gorseq/rseq/internal/cs"
)

// TestAtomicSlotIsCurrent: in the Atomic backend every primitive works on
// the slot CurrentSlot names, the goroutine's probe (internal/probe), so
// that a structure whose pushes go through the probe and whose pops start
// from CurrentSlot pops first where it pushed, instead of from another
// goroutine's slot (which turned each of ringbuf's drains into contention,
// and moved the probes apart again). Each goroutine runs alone on fresh
// memory: no compare-and-swap fails, so no probe moves.
func TestAtomicSlotIsCurrent(t *testing.T) {
	if cs.Enabled() {
		t.Skip("RSEQ backend: CurrentSlot is the thread's slot")
	}
	for g := range 32 {
		done := make(chan struct{})
		go func() {
			defer close(done)
			ints, err := cs.Alloc(8, 8)
			if err != nil {
				t.Error(err)
				return
			}
			floats, err := cs.Alloc(8, 8)
			if err != nil {
				t.Error(err)
				return
			}
			s := cs.CurrentSlot()
			cs.AddInt64(ints.Base(), ints.Stride(), 1)
			cs.AddFloat64(floats.Base(), floats.Stride(), 1)
			if got := atomic.LoadInt64((*int64)(ints.Slot(s))); got != 1 {
				t.Errorf("goroutine %d: AddInt64 did not land on CurrentSlot's slot %d (it holds %d)", g, s, got)
			}
			if got := math.Float64frombits(atomic.LoadUint64((*uint64)(floats.Slot(s)))); got != 1 {
				t.Errorf("goroutine %d: AddFloat64 did not land on CurrentSlot's slot %d (it holds %v)", g, s, got)
			}
		}()
		<-done
	}
}
