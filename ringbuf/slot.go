package ringbuf

import (
	"sync/atomic"
	"unsafe"

	"github.com/gorseq/rseq/internal/cs"
)

// Every ring keeps, per slot, a header in per-CPU memory, followed in the
// RSEQ backend by the ring's bytes:
//
//	offset 0          producer line: tail, limit, dropped
//	offset CacheLine  consumer line: head
//	offset hdrSize    the ring (RSEQ backend only)
//
// Positions (tail, head, limit) are monotonic uint64 counts, of values for
// a Ring and of bytes for Records; they never wrap in practice. Each word
// has one kind of writer:
//
//   - tail, limit and dropped are written only by critical sections of the
//     slot (cs primitives): tail is the commit word of every push, limit a
//     producer-side copy of head (a lower bound of it, refreshed by
//     cs.CmpStore when the ring looks full), dropped a cs.AddInt64
//     counter;
//   - head is written only by consumers, with compare-and-swap.
//
// Everybody else reads them with atomic loads.

// prodSide is the part of a slot header producers write.
type prodSide struct {
	tail    uint64
	limit   uint64
	dropped int64
}

// consSide is the part of a slot header consumers write.
type consSide struct {
	head uint64
	// seen is a copy of tail that consumers keep on their own line, so
	// that a Pop reads the producers' line only when it has caught up
	// with its copy. Consumers store it atomically; a store may lower it
	// (two consumers racing), which is harmless: any value tail once had
	// is a lower bound of tail, and entries below it are published.
	// (That a consumer sees the entries published below a tail value
	// that another consumer loaded and stored here rests on transitivity:
	// the tail's commit is a release (any store on x86-TSO; a
	// store-release in the arm64 sections), and a consumer's atomic load
	// of tail and atomic store of seen (LDAR and STLR on arm64) carry it
	// to the next consumer's atomic load of seen, as Go's memory model
	// promises for its atomics.)
	seen uint64
}

type slotHdr struct {
	prodSide
	_ [(cs.CacheLine - unsafe.Sizeof(prodSide{})%cs.CacheLine) % cs.CacheLine]byte
	consSide
	_ [(cs.CacheLine - unsafe.Sizeof(consSide{})%cs.CacheLine) % cs.CacheLine]byte
}

const hdrSize = unsafe.Sizeof(slotHdr{})

// The ring push sections find a ring cs.RingHeader bytes after its header.
var _ [hdrSize - cs.RingHeader]struct{}
var _ [cs.RingHeader - hdrSize]struct{}

// refresh is called when slot s's ring, of size entries (values or bytes),
// looks from limit, the producers' copy of head, to have no room for sz
// more at tail t: it loads head, reports whether there is room, and if so
// raises limit (a lost race to raise it is harmless: limit is only ever a
// lower bound of head).
func (h *slotHdr) refresh(s int, t, sz, size uint64) bool {
	head := atomic.LoadUint64(&h.head)
	if int64(t+sz-head) > int64(size) {
		return false
	}
	if l := atomic.LoadUint64(&h.limit); int64(head-l) > 0 {
		cs.CmpStore(s, &h.limit, l, head)
	}
	return true
}

// nslots is the number of per-CPU slots; cs fixes it before this package's
// variables are initialised.
var nslots = cs.Slots()

// slots is the per-CPU memory of one structure: nslots headers (and rings)
// of Stride bytes from Base, described as the ring push sections read it
// (the owner sets Mask and Step), so that a push passes them one pointer.
type slots struct {
	cs.RingLayout
}

// fromCurrent yields every slot once: the calling thread's first, then the
// following ones, wrapping. It is the order in which consumers look for
// something to take.
func fromCurrent(yield func(int) bool) {
	start := cs.CurrentSlot()
	for s := start; s < nslots; s++ {
		if !yield(s) {
			return
		}
	}
	for s := range start {
		if !yield(s) {
			return
		}
	}
}

// othersFrom yields every slot but start once, in fromCurrent's order.
func othersFrom(start int) func(yield func(int) bool) {
	return func(yield func(int) bool) {
		for s := start + 1; s < nslots; s++ {
			if !yield(s) {
				return
			}
		}
		for s := range start {
			if !yield(s) {
				return
			}
		}
	}
}

func (m *slots) hdr(s int) *slotHdr {
	return (*slotHdr)(unsafe.Add(m.Base, uintptr(s)*m.Stride))
}

// ring returns the first byte of slot s's ring.
func (m *slots) ring(s int) unsafe.Pointer {
	return unsafe.Add(m.Base, uintptr(s)*m.Stride+hdrSize)
}

// drop counts a drop in the current slot's counter.
func (m *slots) drop() {
	cs.AddInt64(unsafe.Pointer(&m.hdr(0).dropped), m.Stride, 1)
}

// dropped sums the drop counters.
func (m *slots) dropped() uint64 {
	var n uint64
	for s := range nslots {
		n += uint64(atomic.LoadInt64(&m.hdr(s).dropped))
	}
	return n
}

// used returns tail - head of slot s, loading head first so that the
// difference is never negative.
func (m *slots) used(s int) uint64 {
	h := m.hdr(s)
	head := atomic.LoadUint64(&h.head)
	return atomic.LoadUint64(&h.tail) - head
}

// allocSlots gives owner per-CPU memory for a header and ringBytes of ring per
// slot, returned to the pool once owner is unreachable.
func allocSlots[O any](owner *O, ringBytes uintptr) (slots, error) {
	m, err := cs.AllocFor(owner, hdrSize+ringBytes, cs.CacheLine)
	if err != nil {
		return slots{}, err
	}
	return slots{cs.RingLayout{Base: m.Base(), Stride: m.Stride()}}, nil
}
