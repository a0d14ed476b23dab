package list

import (
	"runtime"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"
	"weak"

	"github.com/gorseq/rseq/internal/cs"
)

// An RCU is a read-side domain: readers mark sections with ReadLock and
// ReadUnlock, and writers wait, with Synchronize or Call, until every
// section that began before them has ended (a grace period). One domain may
// serve several lists; a grace period then waits for the readers of all of
// them.
//
// A read-side section costs two per-CPU additions (libside's algorithm):
// ReadLock adds one to the current CPU's "begin" count of the current
// period, ReadUnlock adds one to the "end" count of the same period on
// whatever CPU it runs on. Readers never wait, and each writes only its
// CPU's counts (in the Atomic backend, those of a slot shared by the
// goroutines that hash to it), so they scale with the number of CPUs.
// Sections may nest, may
// block, and may end on another goroutine than the one that began them,
// as long as each Token is passed to ReadUnlock exactly once.
//
// Writers pay instead: Synchronize scans every CPU's counts, with a
// process-wide memory barrier (membarrier) in the RSEQ backend where the
// readers skip their fences, and it flips the period so that new readers
// count apart from the ones it waits for.
//
// A goroutine inside a section must not call Synchronize, Barrier or Close
// on the same domain: they would wait for that section forever.
//
// The zero RCU is not usable; create one with [NewRCU]. An RCU must not be
// copied after first use.
type RCU struct {
	// Read by every section: the current period, as the offset of its
	// counts (0 or countPeriod), and the per-CPU counts. cur changes only
	// in Synchronize.
	cur    atomic.Uintptr
	base   unsafe.Pointer // slot 0's counts
	stride uintptr
	_      [(cs.CacheLine - (unsafe.Sizeof(atomic.Uintptr{})+unsafe.Sizeof(unsafe.Pointer(nil))+unsafe.Sizeof(uintptr(0)))%cs.CacheLine) % cs.CacheLine]byte

	gp sync.Mutex // serializes the waits of Synchronize
	cb *callbacks // Call's queue, shared with the goroutine that runs it

	// raceSync carries the happens-before edge from the end of a section
	// to the end of a grace period for the race detector, which does not
	// see the asm additions.
	raceSync byte
}

// Per-slot counts of a domain: begin and end for each period, each updated
// by cs.AddInt64 only, and read with atomic loads by Synchronize. libside
// keeps separate fields for rseq additions and atomic ones, because its
// readers may fall back to atomics at any call; here the backend is fixed
// for the process, cs.AddInt64 is a plain add inside a critical section in
// the RSEQ backend and atomic (a compare-and-swap, or an atomic add after a
// failed one) in the Atomic backend, and cs's own
// fallback for threads without rseq adds under the slot's stop word after
// a fence. So one set of words serves both, and no word ever sees both
// kinds of update at once.
const (
	countBegin  = 0  // + 16*period; ReadLock relies on it being 0
	countEnd    = 8  // + 16*period
	countPeriod = 16 // bytes per period
	countSize   = 2 * countPeriod
)

// A Token is what ReadLock returns and ReadUnlock takes: the period the
// section was counted in.
type Token struct{ off uintptr } // offset of the period's counts

// NewRCU returns a new domain. It starts no goroutine: Call starts one when
// first needed.
func NewRCU() *RCU {
	d := &RCU{cb: &callbacks{}}
	m, err := cs.AllocFor(d, countSize, countSize)
	if err != nil {
		// 32 bytes per slot: only an exhausted address space fails here.
		panic("list: NewRCU: " + err.Error())
	}
	d.base, d.stride = m.Base(), m.Stride()
	d.cb.init()
	runtime.AddCleanup(d, (*callbacks).abandon, d.cb)
	return d
}

// ReadLock begins a read-side section and returns the token to end it with.
// It never blocks.
func (d *RCU) ReadLock() Token {
	// In the RSEQ backend the addition is a plain store: the membarriers of
	// Synchronize order it, and the loads of the section that follow it,
	// against the writer (libside's barrier A). The call itself keeps the
	// compiler from moving the section's loads above it. (Kept small enough
	// to inline.)
	off := d.cur.Load()
	cs.AddInt64(unsafe.Add(d.base, off), d.stride, 1) // + countBegin, which is 0
	return Token{off}
}

// ReadUnlock ends the read-side section t, which ReadLock on d returned. It
// may run on another goroutine or CPU than ReadLock did. It never blocks.
func (d *RCU) ReadUnlock(t Token) {
	cs.RaceRelease(unsafe.Pointer(&d.raceSync))
	cs.AddInt64(unsafe.Add(d.base, t.off&countPeriod+countEnd), d.stride, 1)
}

// Synchronize waits for a grace period: it returns after every read-side
// section that began before the call has ended. Sections that begin while
// it waits do not delay it beyond the sections they overlap. Whatever a
// reader did in its section "synchronizes before" the return of
// Synchronize, and whatever the caller did before the call "synchronizes
// before" every section that begins after Synchronize returns.
//
// With no reader inside a section it costs a few microseconds (three
// membarrier calls in the RSEQ backend). Otherwise it waits, rechecking
// after growing sleeps (up to 10ms apart); concurrent calls share the
// waiting.
func (d *RCU) Synchronize() {
	// Barrier D: what the caller did (an unlink) is visible to every
	// reader that begins after this point, or the reader's begin is
	// visible to the scans below.
	cs.Barrier()
	active := [2]bool{true, true}
	d.scan(&active)
	if active[0] || active[1] {
		d.gp.Lock()
		d.waitPrev(&active)
		if cur := d.period(); active[cur] {
			d.cur.Store(uintptr(cur^1) * countPeriod)
			d.waitPrev(&active)
		}
		d.gp.Unlock()
	}
	// Barrier E: the sections counted as ended are ordered before what the
	// caller does next.
	cs.Barrier()
	cs.RaceAcquire(unsafe.Pointer(&d.raceSync))
}

// waitPrev waits until the period before the current one has no reader
// left. d.gp is held.
func (d *RCU) waitPrev(active *[2]bool) {
	prev := d.period() ^ 1
	for i := 0; active[prev]; i++ {
		if i > 0 {
			pause(i)
		}
		d.scan(active)
	}
}

// period returns the current period, 0 or 1.
func (d *RCU) period() int { return int(d.cur.Load() / countPeriod) }

// pause backs off between two scans of a wait: a few yields, then sleeps
// that double from 10µs to 10ms. Each scan costs a membarrier, which
// interrupts every running thread of the process, so scans are kept rare.
func pause(i int) {
	if i <= 3 {
		runtime.Gosched()
		return
	}
	time.Sleep(min(10*time.Microsecond<<min(i-4, 10), 10*time.Millisecond))
}

// scan clears active[p] for each period p that it finds without readers:
// the sum over the slots of begin counts minus end counts is zero. It reads
// every end count before any begin count (barrier C between), so that an
// end it counts always has its begin counted too: a reader still inside its
// section keeps the difference above zero.
func (d *RCU) scan(active *[2]bool) {
	var sum [2]uint64
	slots := cs.Slots()
	for p := range 2 {
		if active[p] {
			for s := range slots {
				sum[p] -= atomic.LoadUint64(d.count(s, p, countEnd))
			}
		}
	}
	cs.Barrier()
	for p := range 2 {
		if active[p] {
			for s := range slots {
				sum[p] += atomic.LoadUint64(d.count(s, p, countBegin))
			}
			active[p] = sum[p] != 0
		}
	}
}

func (d *RCU) count(s, p int, which uintptr) *uint64 {
	return (*uint64)(unsafe.Add(d.base, uintptr(s)*d.stride+uintptr(p)*countPeriod+which))
}

// Call queues f to run after a grace period: after every read-side section
// that began before Call has ended. Callbacks run one at a time, in the
// order of their Calls, on a goroutine the domain starts when first needed
// and stops on Close or once the domain is unreachable (when no section
// can still be running, so pending callbacks then run without waiting).
// One grace period serves every callback queued while the previous batch
// ran. f must not panic, and must not call Barrier or Close on d; it may
// call Call and Synchronize. Call never blocks on readers. It panics if f
// is nil.
func (d *RCU) Call(f func()) {
	if f == nil {
		panic("list: RCU.Call with a nil func")
	}
	d.cb.add(f, d)
}

// Barrier waits until every callback passed to Call before Barrier was
// called has returned.
func (d *RCU) Barrier() { d.cb.barrier() }

// Close runs the callbacks already queued (after their grace period), then
// stops the goroutine that runs them, and returns once it has exited. The
// domain remains usable: a later Call starts a new goroutine. A domain
// that is dropped without Close stops its goroutine once the garbage
// collector finds it unreachable.
func (d *RCU) Close() { d.cb.close() }

// callbacks is Call's queue. It is shared between the domain and its
// goroutine, which holds the domain only through a weak pointer, so that an
// unreachable domain can be collected and its goroutine told to exit.
type callbacks struct {
	mu       sync.Mutex
	work     sync.Cond // signalled on new callbacks and on stop
	progress sync.Cond // broadcast when a batch has run
	queue    []func()
	spare    []func()
	queued   uint64        // callbacks ever queued
	done     uint64        // callbacks ever run
	running  bool          // a goroutine runs the queue
	stop     bool          // the goroutine must exit once the queue is empty
	exited   chan struct{} // closed when the running goroutine exits
}

func (c *callbacks) init() {
	c.work.L = &c.mu
	c.progress.L = &c.mu
}

// callbackGoroutines counts the goroutines that run callbacks, for tests.
var callbackGoroutines atomic.Int64

// add queues f. d is the domain, which the goroutine must not hold.
func (c *callbacks) add(f func(), d *RCU) {
	c.mu.Lock()
	c.queue = append(c.queue, f)
	c.queued++
	if !c.running {
		c.running, c.stop = true, false
		c.exited = make(chan struct{})
		callbackGoroutines.Add(1)
		go c.run(weak.Make(d), c.exited)
	} else {
		c.work.Signal()
	}
	c.mu.Unlock()
}

// run is the goroutine: it takes the queue in batches, waits one grace
// period per batch, and runs the batch.
func (c *callbacks) run(d weak.Pointer[RCU], exited chan struct{}) {
	defer close(exited)
	defer callbackGoroutines.Add(-1)
	for {
		c.mu.Lock()
		for len(c.queue) == 0 && !c.stop {
			c.work.Wait()
		}
		if len(c.queue) == 0 {
			c.running = false
			c.mu.Unlock()
			return
		}
		batch := c.queue
		c.queue, c.spare = c.spare[:0], nil
		c.mu.Unlock()

		gracePeriod(d)
		for i, f := range batch {
			f()
			batch[i] = nil
		}

		c.mu.Lock()
		c.done += uint64(len(batch))
		c.spare = batch[:0]
		c.progress.Broadcast()
		c.mu.Unlock()
	}
}

// gracePeriod waits for a grace period of the domain d points to, if it is
// still reachable. If it is not, no section can still be running (a reader
// keeps the domain reachable until its ReadUnlock). It is a separate
// function so that the goroutine holds the domain only while it waits.
//
//go:noinline
func gracePeriod(d weak.Pointer[RCU]) {
	if r := d.Value(); r != nil {
		r.Synchronize()
	}
}

func (c *callbacks) barrier() {
	c.mu.Lock()
	for target := c.queued; c.done < target; {
		c.progress.Wait()
	}
	c.mu.Unlock()
}

func (c *callbacks) close() {
	c.mu.Lock()
	if !c.running {
		c.mu.Unlock()
		return
	}
	c.stop = true
	exited := c.exited
	c.work.Signal()
	c.mu.Unlock()
	<-exited
}

// abandon runs when the domain has become unreachable: it tells the
// goroutine, if any, to run what is queued and exit.
func (c *callbacks) abandon() {
	c.mu.Lock()
	c.stop = true
	c.work.Signal()
	c.mu.Unlock()
}
