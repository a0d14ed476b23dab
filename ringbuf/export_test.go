package ringbuf

import (
	"unsafe"

	"github.com/gorseq/rseq/internal/cs"
	"github.com/gorseq/rseq/internal/torture"
)

// Export guts for testing.

var Slots = cs.Slots

func RSEQ() bool { return cs.Enabled() }

// PushSlot is Push, also returning the slot the value went to.
func (r *Ring[T]) PushSlot(v T) (int, bool) { return r.push(v) }

// PopSlot pops the oldest value of slot s's ring.
func (r *Ring[T]) PopSlot(s int) (T, bool) { return r.popSlot(s, ^uint64(0)) }

// PushSlot is Push, also returning the slot the record went to.
func (r *Records) PushSlot(p []byte) (int, error) { return r.push(p) }

// PopSlot pops the oldest record of slot s's ring.
func (r *Records) PopSlot(s int, dst []byte) ([]byte, bool) { return r.popSlot(s, dst) }

// Damage flips a bit of the byte at offset off from the head of slot s's
// ring (RSEQ backend), or of the first queued record (Atomic backend), to
// play memory corruption. It reports false if there is nothing to damage.
func (r *Records) Damage(s, off int) bool {
	if r.rseq {
		h := r.m.hdr(s)
		if h.tail == h.head {
			return false
		}
		p := (*byte)(unsafe.Add(r.m.ring(s), (h.head+uint64(off))&(r.size-1)))
		*p ^= 0x10
		return true
	}
	rec, ok := r.qs[s].q.Pop()
	if !ok {
		return false
	}
	rec[off%len(rec)] ^= 0x10
	// Put it back at the tail: the tests damage a ring holding one record.
	r.qs[s].q.Push(rec)
	return true
}

// The Layout functions are alike on purpose: unsafe.Offsetof needs each
// field written out, so they cannot share code.

func SlotLayout() torture.Layout {
	var h slotHdr
	return torture.Layout{Size: unsafe.Sizeof(h), Offsets: map[string]uintptr{
		"tail":    unsafe.Offsetof(h.tail),
		"limit":   unsafe.Offsetof(h.limit),
		"dropped": unsafe.Offsetof(h.dropped),
		"head":    unsafe.Offsetof(h.head),
	}}
}

func NotifierLayout() torture.Layout {
	var n notifier
	return torture.Layout{Size: unsafe.Sizeof(n), Offsets: map[string]uintptr{
		"waiters": unsafe.Offsetof(n.waiters),
		"wake":    unsafe.Offsetof(n.wake),
	}}
}

func RecQueueSize() uintptr { return unsafe.Sizeof(recQueue{}) }

// Waiters returns the number of goroutines inside Wait's park.
func (r *Ring[T]) Waiters() int { return int(r.parked.waiters.Load()) }
func (r *Records) Waiters() int { return int(r.parked.waiters.Load()) }
