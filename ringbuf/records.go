package ringbuf

import (
	"context"
	"encoding/binary"
	"fmt"
	"math/bits"
	"runtime"
	"slices"
	"sync/atomic"
	"unsafe"

	"github.com/cespare/xxhash/v2"

	"github.com/gorseq/rseq/internal/argerr"
	"github.com/gorseq/rseq/internal/cs"
	"github.com/gorseq/rseq/internal/probe"
	"github.com/gorseq/rseq/lockfree"
)

// Limits of NewRecords.
const (
	// MinBytesPerCPU and MaxBytesPerCPU bound NewRecords' bytesPerCPU
	// (before rounding up to a power of two).
	MinBytesPerCPU = 16
	MaxBytesPerCPU = 1 << 28
)

// Record framing. A record is an 8-byte header followed by its payload,
// padded to a multiple of 8 bytes, at a position that is a multiple of 8.
// The header is little-endian: the payload length in the low 32 bits, the
// checksum (or 0) in the high 32. A header whose length is wrapLen is a wrap
// marker: the rest of the ring is padding and the next record starts at the
// beginning. Records never straddle the end of the ring.
const (
	recHdrSize = 8
	wrapLen    = ^uint32(0)
)

func recSize(n int) uint64 { return recHdrSize + uint64(n+7)&^7 }

// Records is a set of bounded FIFO rings of variable-size byte records,
// one per CPU slot: Push copies a record into the ring of the CPU the
// calling thread runs on, Pop copies the oldest record of some ring out.
// Any number of goroutines may Push, Pop and Wait at once.
//
// Create Records with NewRecords; the zero Records is not usable. Records
// must not be copied.
type Records struct {
	_ noCopy
	// Read-only after NewRecords.
	m        slots
	size     uint64 // bytes of each ring, a power of two
	maxRec   int
	checksum bool
	rseq     bool
	qs       []*recQueue // Atomic backend

	race    byte // see Ring.race
	corrupt atomic.Uint64

	parked notifier // see Ring.parked
}

// recQueue is one slot's ring in the Atomic backend: framed records
// (header and payload, unpadded) in a lockfree.Queue, and the bytes they
// take in a ring of the same size, counted so that the rings hold what they
// would hold in the RSEQ backend.
type recQueue struct {
	recQueueFields
	_ [(cs.CacheLine - unsafe.Sizeof(recQueueFields{})%cs.CacheLine) % cs.CacheLine]byte
}

type recQueueFields struct {
	q    *lockfree.Queue[[]byte]
	used atomic.Int64
}

// An Option configures NewRecords.
type Option func(*options)

type options struct {
	checksum bool
}

// WithChecksum makes every record carry a 32-bit checksum of its payload
// (the low half of its xxhash64), computed by Push and verified by Pop: a
// record whose bytes do not match is never returned (see Records.Corrupt).
// It costs one hash of the payload on each side.
func WithChecksum() Option {
	return func(o *options) { o.checksum = true }
}

// NewRecords returns Records whose per-CPU rings each hold bytesPerCPU
// bytes, rounded up to a power of two (Cap reports it); each record takes
// 8 bytes of header plus its length rounded up to a multiple of 8.
// bytesPerCPU must be in [MinBytesPerCPU, MaxBytesPerCPU], else NewRecords
// returns an error wrapping ErrCapacity. WithChecksum adds a checksum to
// every record.
func NewRecords(bytesPerCPU int, opts ...Option) (*Records, error) {
	if bytesPerCPU < MinBytesPerCPU || bytesPerCPU > MaxBytesPerCPU {
		return nil, argerr.Range(ErrCapacity, "ringbuf: NewRecords", "bytesPerCPU", bytesPerCPU, MinBytesPerCPU, MaxBytesPerCPU)
	}
	var o options
	for _, opt := range opts {
		opt(&o)
	}
	size := uint64(1) << bits.Len(uint(bytesPerCPU-1))
	r := &Records{
		size:     size,
		maxRec:   int(min(size, cs.MaxMemcpy) - recHdrSize),
		checksum: o.checksum,
		rseq:     cs.Enabled(),
	}
	r.parked.init()
	var ring uintptr
	if r.rseq {
		ring = uintptr(size)
	} else {
		r.qs = make([]*recQueue, nslots)
		for s := range r.qs {
			q, err := lockfree.NewQueue[[]byte](int(size / recHdrSize))
			if err != nil {
				return nil, fmt.Errorf("ringbuf: NewRecords: bytesPerCPU %d: %w", bytesPerCPU, err)
			}
			r.qs[s] = &recQueue{recQueueFields: recQueueFields{q: q}}
		}
	}
	m, err := allocSlots(r, ring)
	if err != nil {
		return nil, fmt.Errorf("ringbuf: NewRecords: bytesPerCPU %d: %w", bytesPerCPU, err)
	}
	r.m = m
	r.m.Mask = size - 1
	return r, nil
}

// Cap returns the size in bytes of each CPU's ring: NewRecords'
// bytesPerCPU rounded up to a power of two.
func (r *Records) Cap() int { return int(r.size) }

// MaxRecord returns the largest record Push accepts: the ring's size, or
// cs.MaxMemcpy (4096) if smaller, less the 8-byte header.
func (r *Records) MaxRecord() int { return r.maxRec }

// header returns the header of payload p.
func (r *Records) header(p []byte) uint64 {
	h := uint64(len(p))
	if r.checksum {
		h |= xxhash.Sum64(p) << 32
	}
	return h
}

// Push copies p as one record into the ring of the CPU slot the calling
// thread runs on. It returns ErrFull, counting a drop, when that ring has
// no room for it now, and an error wrapping ErrTooLarge, naming the size
// and the limit, when len(p) > MaxRecord. It never waits for consumers or
// other producers. The caller may reuse p as soon as Push returns.
//
// In the RSEQ backend the record, header and payload, is copied and
// published by one memcpy critical section, so no consumer ever sees part
// of it. A record that does not fit before the end of the ring is preceded
// by a wrap marker, committed by its own critical section, that pads the
// rest of the ring; the marker is committed whenever it fits, even if the
// record then does not, so that a record of any size up to MaxRecord finds
// room once consumers have emptied the ring.
//
// A successful Push synchronizes before the Pop that returns the record.
func (r *Records) Push(p []byte) error {
	_, err := r.push(p)
	return err
}

func (r *Records) push(p []byte) (int, error) {
	if len(p) > r.maxRec {
		return -1, &sizeError{size: len(p), limit: r.maxRec}
	}
	if !r.rseq {
		return r.pushAtomic(p)
	}
	hdr := r.header(p)
	cs.RaceRelease(unsafe.Pointer(&r.race))
	// Frame the record in a scratch buffer on the stack, sized by class
	// so that small records do not pay for zeroing a large one.
	switch {
	case len(p) <= 64-recHdrSize:
		var buf [64]byte
		return r.commit(buf[:], hdr, p)
	case len(p) <= 256-recHdrSize:
		var buf [256]byte
		return r.commit(buf[:], hdr, p)
	case len(p) <= 1024-recHdrSize:
		return r.commit1K(hdr, p)
	}
	return r.commit4K(hdr, p)
}

//go:noinline
func (r *Records) commit1K(hdr uint64, p []byte) (int, error) {
	var buf [1024]byte
	return r.commit(buf[:], hdr, p)
}

//go:noinline
func (r *Records) commit4K(hdr uint64, p []byte) (int, error) {
	var buf [cs.MaxMemcpy]byte
	return r.commit(buf[:], hdr, p)
}

// commit frames p with hdr in buf and commits it to the current slot.
func (r *Records) commit(buf []byte, hdr uint64, p []byte) (int, error) {
	binary.LittleEndian.PutUint64(buf, hdr)
	n := recHdrSize + copy(buf[recHdrSize:], p)
	sz := recSize(len(p))
	// The wrap marker this Push committed, if any: its slot's header and
	// its position.
	var markHdr *slotHdr
	var mark, markEnd uint64
	for {
		// One critical section finds the slot, checks that the record
		// fits before the ring's end and in the room limit says is free,
		// copies it and commits the tail.
		s, st := cs.RecordsPush(&r.m.RingLayout, unsafe.Pointer(&buf[0]), uintptr(n), sz)
		if st == cs.OK {
			r.parked.notify()
			runtime.KeepAlive(r)
			return s, nil
		}
		// It would cross the ring's end, or the ring looked full from
		// limit: decide on slot s's header with plain loads.
		h := r.m.hdr(s)
		ring := r.m.ring(s)
		t := atomic.LoadUint64(&h.tail)
		off := t & (r.size - 1)
		if off+sz > r.size {
			// Pad the rest of the ring with a wrap marker first.
			pad := r.size - off
			if !r.room(s, h, t, pad) {
				break
			}
			if cs.CmpStoreStore(s, &h.tail, t, (*uint64)(unsafe.Add(ring, off)), uint64(wrapLen), t+pad) == cs.OK {
				markHdr, mark, markEnd = h, t, t+pad
			}
			continue
		}
		if !r.room(s, h, t, sz) {
			// The marker this Push committed takes room until a
			// consumer skips it. If every record before it has been
			// consumed, skip it here: head == mark proves that the
			// marker is still unread and that nobody else reads past
			// it (head is monotonic, and the position is written once
			// per lap).
			if markHdr == h && atomic.CompareAndSwapUint64(&h.head, mark, markEnd) {
				markHdr = nil
				continue
			}
			break
		}
		// Room now (limit raised), or the tail moved: push again.
	}
	r.m.drop()
	runtime.KeepAlive(r)
	return -1, ErrFull
}

// room reports whether slot s's ring has sz free bytes at tail t, looking
// at limit first and at head only when limit says no.
func (r *Records) room(s int, h *slotHdr, t, sz uint64) bool {
	return int64(t+sz-atomic.LoadUint64(&h.limit)) <= int64(r.size) || h.refresh(s, t, sz, r.size)
}

func (r *Records) pushAtomic(p []byte) (int, error) {
	pr := probe.For()
	pv := pr.Load()
	s := pr.Slot(pv, len(r.qs))
	q := r.qs[s]
	sz := int64(recSize(len(p)))
	if q.used.Add(sz) <= int64(r.size) {
		rec := make([]byte, recHdrSize+len(p))
		binary.LittleEndian.PutUint64(rec, r.header(p))
		copy(rec[recHdrSize:], p)
		ok, contended := q.q.TryPush(rec)
		if contended {
			pr.Advance(pv)
		}
		if ok {
			r.parked.notify()
			return s, nil
		}
	}
	q.used.Add(-sz)
	r.m.drop()
	runtime.KeepAlive(r)
	return -1, ErrFull
}

// Pop appends the oldest record of some non-empty ring to dst and returns
// the extended slice and true, trying the calling thread's slot first and
// then the others; it returns dst and false when every ring looked empty.
// It never returns part of a record, nor a record that fails validation
// (see Corrupt). Pop never blocks producers.
func (r *Records) Pop(dst []byte) ([]byte, bool) {
	start := cs.CurrentSlot()
	if out, ok := r.popSlot(start, dst); ok {
		return out, true
	}
	for s := range othersFrom(start) {
		if out, ok := r.popSlot(s, dst); ok {
			return out, true
		}
	}
	return dst, false
}

func (r *Records) popSlot(s int, dst []byte) ([]byte, bool) {
	if !r.rseq {
		return r.popAtomic(s, dst)
	}
	h := r.m.hdr(s)
	ring := r.m.ring(s)
	for {
		head := atomic.LoadUint64(&h.head)
		t := atomic.LoadUint64(&h.tail)
		if int64(t-head) <= 0 {
			break
		}
		// What is read below may be torn or stale if producers are
		// overwriting it; the CAS on head then fails. Whatever a record
		// claims is checked before it is trusted.
		off := head & (r.size - 1)
		hdr := atomic.LoadUint64((*uint64)(unsafe.Add(ring, off)))
		n := uint32(hdr)
		next := head + r.size - off // where a wrap marker sends head
		if n == wrapLen {
			if int64(t-next) < 0 {
				r.invalid(h, head, t, t)
				continue
			}
			atomic.CompareAndSwapUint64(&h.head, head, next)
			continue
		}
		if n > uint32(r.maxRec) || off+recSize(int(n)) > r.size || int64(t-head) < int64(recSize(int(n))) {
			r.invalid(h, head, t, t)
			continue
		}
		next = head + recSize(int(n))
		dst = slices.Grow(dst, int(n))
		out := dst[len(dst) : len(dst)+int(n)]
		copy(out, unsafe.Slice((*byte)(unsafe.Add(ring, off+recHdrSize)), n))
		if r.checksum && uint32(xxhash.Sum64(out)) != uint32(hdr>>32) {
			r.invalid(h, head, t, next)
			continue
		}
		if atomic.CompareAndSwapUint64(&h.head, head, next) {
			cs.RaceAcquire(unsafe.Pointer(&r.race))
			runtime.KeepAlive(r)
			return dst[:len(dst)+int(n)], true
		}
	}
	runtime.KeepAlive(r)
	return dst, false
}

// invalid handles a record at head that failed validation. If head has
// moved, the bytes were being overwritten and the caller just retries.
// Otherwise the ring really holds a bad record (the producers never write
// one; only memory corruption could): it is skipped, with head moved to
// skip (the next record when the header's length is usable, else tail),
// and counted.
func (r *Records) invalid(h *slotHdr, head, t, skip uint64) {
	if atomic.LoadUint64(&h.head) != head {
		return
	}
	if atomic.CompareAndSwapUint64(&h.head, head, skip) {
		r.corrupt.Add(1)
	}
}

func (r *Records) popAtomic(s int, dst []byte) ([]byte, bool) {
	q := r.qs[s]
	for {
		rec, ok := q.q.Pop()
		if !ok {
			return dst, false
		}
		q.used.Add(-int64(recSize(len(rec) - recHdrSize)))
		hdr := binary.LittleEndian.Uint64(rec)
		p := rec[recHdrSize:]
		if uint32(hdr) != uint32(len(p)) || r.checksum && uint32(xxhash.Sum64(p)) != uint32(hdr>>32) {
			r.corrupt.Add(1)
			continue
		}
		return append(dst, p...), true
	}
}

// Wait blocks until some ring holds a record or ctx ends, and returns nil
// or ctx.Err(), as Ring.Wait does: it parks, never spins, and a nil return
// does not promise that the next Pop succeeds.
func (r *Records) Wait(ctx context.Context) error {
	return r.parked.wait(ctx, r)
}

func (r *Records) available() bool {
	for s := range nslots {
		if !r.rseq {
			if r.qs[s].q.Len() != 0 {
				return true
			}
		} else if r.m.used(s) != 0 {
			runtime.KeepAlive(r)
			return true
		}
	}
	runtime.KeepAlive(r)
	return false
}

// Dropped returns the number of Pushes that returned ErrFull. Each slot's
// count is exact; the sum reads them one after another.
func (r *Records) Dropped() uint64 {
	n := r.m.dropped()
	runtime.KeepAlive(r)
	return n
}

// Corrupt returns the number of records Pop found invalid and skipped
// without returning them: a length out of range or, with WithChecksum, a
// checksum that does not match the payload. The producers never write such
// a record, so a non-zero count means the rings' memory was damaged. When
// the bad length leaves no way to find the next record, the skip takes
// everything the ring held at that moment, counted once.
func (r *Records) Corrupt() uint64 { return r.corrupt.Load() }
