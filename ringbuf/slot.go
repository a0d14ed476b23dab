package ringbuf

import (
	"context"
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
	// that another consumer loaded and stored here rests on x86-TSO's
	// transitivity; the RSEQ backend exists on amd64 only.)
	seen uint64
}

type slotHdr struct {
	prodSide
	_ [(cs.CacheLine - unsafe.Sizeof(prodSide{})%cs.CacheLine) % cs.CacheLine]byte
	consSide
	_ [(cs.CacheLine - unsafe.Sizeof(consSide{})%cs.CacheLine) % cs.CacheLine]byte
}

const hdrSize = unsafe.Sizeof(slotHdr{})

// nslots is the number of per-CPU slots; cs fixes it before this package's
// variables are initialised.
var nslots = cs.Slots()

// slots is the per-CPU memory of one structure: nslots headers (and rings)
// of stride bytes from base.
type slots struct {
	base   unsafe.Pointer
	stride uintptr
}

func (m *slots) hdr(s int) *slotHdr {
	return (*slotHdr)(unsafe.Add(m.base, uintptr(s)*m.stride))
}

// ring returns the first byte of slot s's ring.
func (m *slots) ring(s int) unsafe.Pointer {
	return unsafe.Add(m.base, uintptr(s)*m.stride+hdrSize)
}

// drop counts a drop in the current slot's counter.
func (m *slots) drop() {
	cs.AddInt64(unsafe.Pointer(&m.hdr(0).dropped), m.stride, 1)
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

// alloc gives owner per-CPU memory for a header and ringBytes of ring per
// slot, returned to the pool once owner is unreachable.
func allocSlots[O any](owner *O, ringBytes uintptr) (slots, error) {
	m, err := cs.AllocFor(owner, hdrSize+ringBytes, cs.CacheLine)
	if err != nil {
		return slots{}, err
	}
	return slots{base: m.Base(), stride: m.Stride()}, nil
}

// A notifier parks consumers in Wait and lets producers wake them with at
// most one load of a read-mostly word on their fast path.
//
// Producers: after a successful push, load waiters; only when it is not
// zero, make a non-blocking send on wake (capacity 1). Producers never
// block.
//
// Consumers: increment waiters, then check again for something to take,
// then park on wake (or ctx), then decrement. The second check is what
// makes a wake-up impossible to lose: either the producer's load of waiters
// sees the increment, and it sends, or the consumer's check sees the push.
// That is a store-load (Dekker) pattern on both sides. The consumer's side
// is a locked add followed by cs.Barrier; the producer's side has no fence
// of its own: its commit is a plain store made by a critical section,
// followed by a plain load of waiters, which x86 may reorder. cs.Barrier
// (membarrier) runs a full barrier on every running thread of the process,
// so the producer's commit is visible to the check, or its load of waiters
// comes after the increment. In the Atomic backend the producer's publishing
// store is a sequentially consistent atomic and Barrier is not needed (it
// does nothing there).
//
// A token sent when nobody is parked stays in the channel: the next Wait
// takes it, finds nothing (or something), and checks again. A consumer
// woken for a value another consumer took parks again.
type notifier struct {
	_       [cs.CacheLine]byte // keeps waiters off whatever precedes it
	waiters atomic.Int32
	_       [(cs.CacheLine - unsafe.Sizeof(atomic.Int32{})%cs.CacheLine) % cs.CacheLine]byte
	wake    chan struct{}
}

func (n *notifier) init() { n.wake = make(chan struct{}, 1) }

// notify wakes one parked consumer, if any. Producers call it after every
// successful push; the fast path is one load.
func (n *notifier) notify() {
	if n.waiters.Load() != 0 {
		n.signal()
	}
}

func (n *notifier) signal() {
	select {
	case n.wake <- struct{}{}:
	default:
	}
}

// availability reports whether something is there to take.
type availability interface{ available() bool }

// wait blocks until a.available() or ctx ends.
func (n *notifier) wait(ctx context.Context, a availability) error {
	for {
		if a.available() {
			return nil
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		n.waiters.Add(1)
		cs.Barrier()
		if a.available() {
			n.waiters.Add(-1)
			return nil
		}
		select {
		case <-n.wake:
		case <-ctx.Done():
		}
		n.waiters.Add(-1)
	}
}

// noCopy makes go vet's copylocks check report copies of a Ring or Records:
// a copy would share the original's per-CPU memory without keeping it
// alive.
type noCopy struct{}

func (*noCopy) Lock()   {}
func (*noCopy) Unlock() {}
