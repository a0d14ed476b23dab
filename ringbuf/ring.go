package ringbuf

import (
	"context"
	"fmt"
	"math"
	"math/bits"
	"reflect"
	"runtime"
	"sync/atomic"
	"unsafe"

	"github.com/gorseq/rseq/internal/argerr"
	"github.com/gorseq/rseq/internal/cs"
	"github.com/gorseq/rseq/internal/probe"
	"github.com/gorseq/rseq/lockfree"
)

// Limits of New.
const (
	// MaxPerCPU is the largest per-CPU capacity New accepts (before
	// rounding up to a power of two).
	MaxPerCPU = 1 << 24
	// MaxValueSize is the largest element type New accepts, in bytes: a
	// value is copied into the ring by one memcpy critical section.
	MaxValueSize = cs.MaxMemcpy

	// maxRingBytes bounds the memory of each CPU's ring.
	maxRingBytes = min(uint64(cs.MaxAlloc-hdrSize), math.MaxInt/2)
)

// A Ring is a set of bounded FIFO rings of values of type T, one per CPU
// slot. Push appends to the ring of the CPU the calling thread runs on;
// Pop, Drain and Wait serve any number of consumer goroutines, which take
// values from every ring.
//
// T must hold no pointers (no pointer, string, slice, map, channel,
// function or interface, directly or in a field or array element): values
// live in off-heap memory that the garbage collector does not scan.
//
// Create a Ring with New; the zero Ring is not usable. A Ring must not be
// copied.
type Ring[T any] struct {
	_ noCopy
	// Read-only after New.
	m     slots
	mask  uint64  // capacity - 1
	esize uintptr // unsafe.Sizeof(T)
	estep uintptr // entrySize(esize): the distance between two entries
	rseq  bool
	// fast: the RSEQ backend and values of one 8-byte word at most,
	// pushed by cs.RingPush (larger ones by cs.RingPushCopy).
	fast bool
	qs   []*lockfree.Queue[T] // Atomic backend: one queue per slot

	// race is the address the race detector's happens-before edges from
	// Push to Pop go through (the asm's stores are invisible to it).
	race byte

	parked notifier // Wait's parked consumers
}

// noCopy makes go vet's copylocks check report copies of a Ring or Records:
// a copy would share the original's per-CPU memory without keeping it
// alive.
type noCopy struct{}

func (*noCopy) Lock()   {}
func (*noCopy) Unlock() {}

// New returns a Ring whose per-CPU rings each hold perCPU values, rounded
// up to a power of two ([Ring.Cap] reports it). perCPU must be in
// [1, MaxPerCPU], less for values over 56 bytes (a CPU's ring stays under
// 1 GiB), else New returns an error wrapping [ErrCapacity] that names the
// range; T must hold no pointers and be at most [MaxValueSize] bytes, else
// New returns an error wrapping [ErrType] that names the type. The rings'
// memory is taken at once (in the RSEQ backend: per-CPU memory whose pages
// are touched as they are used) and returned when the Ring is unreachable.
func New[T any](perCPU int) (*Ring[T], error) {
	typ := reflect.TypeFor[T]()
	if err := checkType(typ); err != nil {
		return nil, err
	}
	if hi := maxPerCPU(typ.Size()); perCPU < 1 || perCPU > hi {
		return nil, argerr.Range(ErrCapacity, "ringbuf: New["+typ.String()+"]", "perCPU", perCPU, 1, hi)
	}
	n := uint64(1) << bits.Len(uint(perCPU-1))
	r := &Ring[T]{mask: n - 1, esize: typ.Size(), rseq: cs.Enabled()}
	r.parked.init()
	var ring uintptr
	if r.rseq {
		r.fast = r.esize <= 8
		r.estep = entrySize(r.esize)
		ring = uintptr(n) * r.estep
	} else {
		r.qs = make([]*lockfree.Queue[T], nslots)
		for s := range r.qs {
			q, err := lockfree.NewQueue[T](int(n))
			if err != nil {
				return nil, fmt.Errorf("ringbuf: New[%v]: perCPU %d: %w", typ, perCPU, err)
			}
			r.qs[s] = q
		}
	}
	m, err := allocSlots(r, ring)
	if err != nil {
		return nil, fmt.Errorf("ringbuf: New[%v]: perCPU %d: %w", typ, perCPU, err)
	}
	r.m = m
	r.m.Mask, r.m.Step = r.mask, r.estep
	return r, nil
}

// maxPerCPU is the largest perCPU New accepts for values of size bytes:
// MaxPerCPU, or the largest power of two whose ring fits in maxRingBytes if
// that is less.
func maxPerCPU(size uintptr) int {
	fit := maxRingBytes / uint64(entrySize(size))
	return int(min(MaxPerCPU, uint64(1)<<(bits.Len64(fit)-1)))
}

// entrySize is the distance between two values in a ring: the size rounded
// up to 8 bytes, at least 8, so that values of up to 8 bytes are written as
// one word.
func entrySize(size uintptr) uintptr {
	return max(8, (size+7)&^7)
}

// checkType reports why a Ring cannot hold typ, if it cannot.
func checkType(typ reflect.Type) error {
	if typ.Size() > MaxValueSize {
		return fmt.Errorf("%w: %v is %d bytes, more than MaxValueSize (%d)", ErrType, typ, typ.Size(), MaxValueSize)
	}
	if where := pointerIn(typ, typ.String()); where != "" {
		return fmt.Errorf("%w: %v holds pointers (%s)", ErrType, typ, where)
	}
	return nil
}

// pointerIn returns a description of the first pointer found in typ, whose
// path from the outer type is path, or "" if it has none.
func pointerIn(typ reflect.Type, path string) string {
	switch typ.Kind() {
	case reflect.Bool, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr,
		reflect.Float32, reflect.Float64, reflect.Complex64, reflect.Complex128:
		return ""
	case reflect.Array:
		if typ.Len() == 0 {
			return ""
		}
		return pointerIn(typ.Elem(), path+"[0]")
	case reflect.Struct:
		for i := range typ.NumField() {
			f := typ.Field(i)
			if w := pointerIn(f.Type, path+"."+f.Name); w != "" {
				return w
			}
		}
		return ""
	}
	return path + " is a " + typ.Kind().String()
}

// Cap returns the capacity of each CPU's ring: New's perCPU rounded up to a
// power of two.
func (r *Ring[T]) Cap() int { return int(r.mask + 1) }

// Push appends v to the ring of the CPU slot the calling thread runs on and
// reports true, or reports false, changing nothing but the drop count, when
// that ring is full. It never waits for consumers or other producers.
//
// In the RSEQ backend Push is one critical section (cs.RingPush) that finds
// the calling thread's slot, checks room, copies v into the ring and
// publishes it by moving the ring's tail (see Backends in the package doc),
// so v is never visible half-written; it goes back to the ring only when
// the ring looked full from the producers' copy of head, to look at the
// consumers' head itself. In the Atomic backend it
// is [lockfree.Queue.Push] on a ring chosen by the goroutine's probe,
// which moves to another ring when the push lost a race to another
// producer.
//
// A successful Push synchronizes before the Pop or Drain that returns v.
func (r *Ring[T]) Push(v T) bool {
	if !r.fast {
		var ok bool
		if r.rseq {
			_, ok = r.push(v)
		} else {
			_, ok = r.pushAtomic(v)
		}
		return ok
	}
	// The common case in the caller's frame: one call to the section,
	// which reads the rings' layout through one pointer.
	cs.RaceRelease(unsafe.Pointer(&r.race))
	var w uint64
	*(*T)(unsafe.Pointer(&w)) = v
	if _, st := cs.RingPush(&r.m.RingLayout, w); st == cs.OK {
		r.parked.notify()
		runtime.KeepAlive(r)
		return true
	}
	// Not generic, so that the dictionary need not outlive the call above.
	_, ok := r.m.pushWord(w, &r.parked)
	runtime.KeepAlive(r)
	return ok
}

// push is Push, also returning the slot v went to (or the slot whose ring
// was full), for the tests.
func (r *Ring[T]) push(v T) (int, bool) {
	if !r.rseq {
		return r.pushAtomic(v)
	}
	cs.RaceRelease(unsafe.Pointer(&r.race))
	if r.fast {
		var w uint64
		*(*T)(unsafe.Pointer(&w)) = v
		s, ok := r.m.pushWord(w, &r.parked)
		runtime.KeepAlive(r)
		return s, ok
	}
	for {
		// One critical section finds the slot, checks room against limit,
		// copies v and commits the tail.
		s, st := cs.RingPushCopy(&r.m.RingLayout, unsafe.Pointer(&v), r.esize)
		if st == cs.OK {
			r.parked.notify()
			runtime.KeepAlive(r)
			return s, true
		}
		if !r.m.roomFor(s) {
			r.m.drop()
			runtime.KeepAlive(r)
			return s, false
		}
	}
}

// pushWord pushes the word w to the ring of a Ring's calling thread's slot
// (the RSEQ backend), retrying while the ring looked full only from the
// producers' copy of head, and reports the slot and whether w went in;
// parked is the Ring's. The caller keeps the Ring alive.
func (m *slots) pushWord(w uint64, parked *notifier) (int, bool) {
	for {
		// One critical section finds the slot, checks room against limit,
		// stores w and commits the tail.
		s, st := cs.RingPush(&m.RingLayout, w)
		if st == cs.OK {
			parked.notify()
			return s, true
		}
		if !m.roomFor(s) {
			m.drop()
			return s, false
		}
	}
}

// roomFor is called when the ring of slot s of a Ring looked full from
// limit: it looks at head, raises limit if there is room, and reports
// whether there is (the caller pushes again, perhaps to another slot by
// then).
func (m *slots) roomFor(s int) bool {
	h := m.hdr(s)
	return h.refresh(s, atomic.LoadUint64(&h.tail), 1, m.Mask+1)
}

func (r *Ring[T]) pushAtomic(v T) (int, bool) {
	pr := probe.For()
	pv := pr.Load()
	s := pr.Slot(pv, len(r.qs))
	ok, contended := r.qs[s].TryPush(v)
	if contended {
		pr.Advance(pv)
	}
	if !ok {
		r.m.drop()
		runtime.KeepAlive(r)
		return s, false
	}
	r.parked.notify()
	return s, true
}

// Pop removes and returns the oldest value of some non-empty ring, trying
// the calling thread's slot first and then the others; it reports false
// when every ring looked empty. Any number of goroutines may Pop, Drain and
// Wait at once. Pop never blocks producers: consumers claim a value by
// compare-and-swap on the ring's head, which producers only read.
func (r *Ring[T]) Pop() (T, bool) {
	start := cs.CurrentSlot()
	if v, ok := r.popSlot(start, ^uint64(0)); ok {
		return v, true
	}
	for s := range othersFrom(start) {
		if v, ok := r.popSlot(s, ^uint64(0)); ok {
			return v, true
		}
	}
	var zero T
	return zero, false
}

// popSlot pops the oldest value of slot s's ring if its position is below
// end.
func (r *Ring[T]) popSlot(s int, end uint64) (T, bool) {
	if !r.rseq {
		return r.qs[s].Pop()
	}
	h := r.m.hdr(s)
	ring := r.m.ring(s)
	for {
		head := atomic.LoadUint64(&h.head)
		if t := atomic.LoadUint64(&h.seen); int64(t-head) <= 0 {
			// Caught up with the copy: look at the real tail.
			if t = atomic.LoadUint64(&h.tail); int64(t-head) <= 0 {
				break
			}
			atomic.StoreUint64(&h.seen, t)
		}
		if head >= end {
			break
		}
		// The copy may be torn if a producer is overwriting the entry,
		// but a producer writes position head+Cap only once head has
		// moved past head: then the CAS below fails and the copy is
		// thrown away.
		v := *(*T)(unsafe.Add(ring, uintptr(head&r.mask)*r.estep))
		if atomic.CompareAndSwapUint64(&h.head, head, head+1) {
			cs.RaceAcquire(unsafe.Pointer(&r.race))
			runtime.KeepAlive(r)
			return v, true
		}
	}
	runtime.KeepAlive(r)
	var zero T
	return zero, false
}

// PopN appends to dst up to n values, taken ring by ring starting with
// the calling thread's, and returns the extended slice. From each ring it
// takes the oldest values, as many as are there and fit, with one
// compare-and-swap on the ring's head: it is the cheap way to consume in
// bulk. It returns dst unchanged when every ring looked empty (or n <= 0).
func (r *Ring[T]) PopN(dst []T, n int) []T {
	for s := range fromCurrent {
		if n <= 0 {
			break
		}
		before := len(dst)
		dst = r.popSlotN(s, dst, n)
		n -= len(dst) - before
	}
	return dst
}

// popBatch bounds what PopN copies before its compare-and-swap, so that a
// lost race wastes little.
const popBatch = 256

// popSlotN appends up to n of the oldest values of slot s's ring to dst.
func (r *Ring[T]) popSlotN(s int, dst []T, n int) []T {
	if !r.rseq {
		for ; n > 0; n-- {
			v, ok := r.qs[s].Pop()
			if !ok {
				break
			}
			dst = append(dst, v)
		}
		return dst
	}
	h := r.m.hdr(s)
	ring := r.m.ring(s)
	es := r.estep
	for n > 0 {
		head := atomic.LoadUint64(&h.head)
		t := atomic.LoadUint64(&h.tail)
		if int64(t-head) <= 0 {
			break
		}
		k := min(t-head, uint64(n), popBatch)
		// As in popSlot, the copies are thrown away if the CAS fails.
		base := len(dst)
		for p := head; p < head+k; p++ {
			dst = append(dst, *(*T)(unsafe.Add(ring, uintptr(p&r.mask)*es)))
		}
		if !atomic.CompareAndSwapUint64(&h.head, head, head+k) {
			dst = dst[:base]
			continue
		}
		cs.RaceAcquire(unsafe.Pointer(&r.race))
		n -= int(k)
	}
	runtime.KeepAlive(r)
	return dst
}

// Drain pops the values available when it reaches each ring, ring by ring,
// and passes them to yield, stopping early if yield returns false. Values
// pushed to a ring after Drain has reached it are left for later, so Drain
// returns even while producers keep pushing. It has the signature of an
// iter.Seq[T]: for v := range r.Drain { ... } works.
func (r *Ring[T]) Drain(yield func(T) bool) {
	for s := range nslots {
		var end uint64
		if r.rseq {
			end = atomic.LoadUint64(&r.m.hdr(s).tail)
		} else {
			end = uint64(r.qs[s].Len())
		}
		for n := uint64(0); ; n++ {
			if !r.rseq && n >= end {
				break
			}
			v, ok := r.popSlot(s, end)
			if !ok {
				break
			}
			if !yield(v) {
				return
			}
		}
	}
}

// Wait blocks until some ring holds a value or ctx ends, and returns nil or
// ctx.Err(). It parks the goroutine; it never spins. A nil return does not
// promise that the next Pop succeeds: another consumer may take the value
// first. When several goroutines wait, each Push wakes at least one of
// them. Wait costs a process-wide memory barrier (cs.Barrier) each time it
// parks.
//
// In the Atomic backend Wait may also return for a value whose Push has
// claimed its place but not yet returned; Pop then reports false until that
// Push finishes.
func (r *Ring[T]) Wait(ctx context.Context) error {
	return r.parked.wait(ctx, r)
}

func (r *Ring[T]) available() bool {
	for s := range nslots {
		if r.usedSlot(s) != 0 {
			return true
		}
	}
	return false
}

func (r *Ring[T]) usedSlot(s int) int {
	if !r.rseq {
		return r.qs[s].Len()
	}
	n := r.m.used(s)
	runtime.KeepAlive(r)
	return int(min(n, r.mask+1))
}

// Len returns the number of values in the rings. It reads each ring once,
// one after another, so under concurrent Pushes and Pops it is approximate.
func (r *Ring[T]) Len() int {
	var n int
	for s := range nslots {
		n += r.usedSlot(s)
	}
	return n
}

// Dropped returns the number of Pushes that reported false. Each slot's
// count is exact; the sum reads them one after another.
func (r *Ring[T]) Dropped() uint64 {
	n := r.m.dropped()
	runtime.KeepAlive(r)
	return n
}
