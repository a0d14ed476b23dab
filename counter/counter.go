package counter

import (
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"unsafe"

	"github.com/gorseq/rseq/internal/cs"
)

// nslots is the number of per-CPU slots; cs fixes it before this package's
// variables are initialised.
var nslots = cs.Slots()

// A Counter is an int64 counter with one copy per CPU slot. Add touches only
// the calling thread's slot; Load and Reset visit every slot.
//
// Create counters with New. The zero Counter is not usable: its methods
// panic. (A usable zero value needs a first-use check whose out-of-line
// initialisation keeps Add from being inlined; it measured about 1 ns more
// per Add, a quarter of the whole.) A Counter must not be copied (go vet
// reports copies): a copy would share the original's per-CPU words without
// keeping them alive.
type Counter struct {
	_ noCopy
	// p is slot 0's word in per-CPU memory (off-heap); slot s's word is at
	// p + s*stride. Set by New, never changed.
	p unsafe.Pointer
}

// New returns a counter holding zero, from a block of 64 whose per-CPU
// memory returns to the pool once every counter of the block is
// unreachable (see Memory in the package doc).
func New() *Counter {
	c, p := counters.next()
	c.p = p
	return c
}

// errZero is what the methods of a zero Counter panic with.
const errZero = "counter: method called on a zero Counter; create counters with counter.New"

// Add adds delta to c (wrapping on overflow, like an int64 addition): one
// restartable sequence on the calling thread's slot in the RSEQ backend,
// one compare-and-swap on the goroutine's slot in the Atomic backend (when
// it fails, the goroutine moves to another slot and adds there with one
// atomic add, as Java's LongAdder does). It never blocks, except for the few
// microseconds a concurrent [Counter.Reset] holds every slot in the RSEQ
// backend.
func (c *Counter) Add(delta int64) {
	p := c.p
	if p == nil {
		panic(errZero)
	}
	cs.AddInt64(p, stride, delta)
	// The block's memory must outlive the add: without this, c could become
	// unreachable right after its word was loaded, and the block's cleanup
	// hand the memory to another counter while the add is in flight.
	runtime.KeepAlive(c)
}

// Inc adds 1 to c, as [Counter.Add](1) does.
func (c *Counter) Inc() {
	// Add's body, not a call to it: Add's cost is at the inliner's budget.
	p := c.p
	if p == nil {
		panic(errZero)
	}
	cs.AddInt64(p, stride, 1)
	runtime.KeepAlive(c)
}

// Load returns the sum of c's slots, each read atomically. It is not a
// linearizable snapshot: Adds that run concurrently with Load may be
// counted or not, independently for each slot, so the result is a value the
// counter held at some moment only when no Add ran during the Load. Once
// Adds stop, Load returns the exact sum. Load never blocks and writes
// nothing.
func (c *Counter) Load() int64 {
	v := sumSlots(c.word(), stride)
	runtime.KeepAlive(c)
	return v
}

// Reset sets c to zero and returns the value it held. It is exact: every Add
// is counted exactly once, either in the result of one Reset or in the
// counter after it, however Adds and Resets interleave.
//
// In the RSEQ backend Reset stops every slot (one membarrier fence, about a
// microsecond) and swaps each slot's word to zero, so concurrent Adds to
// every counter stall for that long: call it from a metrics scrape, not a
// hot path. Concurrent Resets serialise. In the Atomic backend it swaps
// each slot's word atomically and blocks nobody.
func (c *Counter) Reset() int64 {
	v := resetSlots(c.word(), stride)
	runtime.KeepAlive(c)
	return v
}

// word returns c's word in slot 0, after checking that c is not a zero
// Counter. (Add and Inc check inline: with the call they would pass the
// inliner's budget.)
func (c *Counter) word() unsafe.Pointer {
	p := c.p
	if p == nil {
		panic(errZero)
	}
	return p
}

// blockLen is the number of counters (or Floats) that share a block.
const blockLen = 64

// A block owns blockLen words' per-CPU memory: one cs.Mem of blockLen*8
// bytes per slot, returned to the pool by a cleanup once the block is
// unreachable. The headers (Counters, Floats) are hdr's elements, so a
// pointer to any of them keeps the block, and so the memory, alive.
type block[T any] struct {
	hdr [blockLen]T
}

// stride is the distance between two slots' copies of an item of the pool;
// every block has the same. Written once, under a blocks' lock, before the
// first counter exists; Add reads it without synchronisation, which is safe
// because whoever holds a counter got it from New after that write.
var stride uintptr

// strideMu orders the first write of stride between the allocators.
var strideMu sync.Mutex

// blocks hands out headers of type T, each with one 8-byte word per slot,
// from its current block.
type blocks[T any] struct {
	sync.Mutex
	blk  *block[T]
	base unsafe.Pointer // slot 0's copy of blk's memory
	n    int            // next free header of blk
}

var counters blocks[Counter]

// next returns a fresh header and slot 0's copy of its word.
func (a *blocks[T]) next() (*T, unsafe.Pointer) {
	a.Lock()
	defer a.Unlock()
	if a.blk == nil || a.n == blockLen {
		a.newBlock()
	}
	h := &a.blk.hdr[a.n]
	p := unsafe.Add(a.base, a.n*8)
	a.n++
	return h, p
}

// newBlock starts a new current block. a must be held.
func (a *blocks[T]) newBlock() {
	m, err := cs.Alloc(blockLen*8, 8)
	if err != nil {
		// Only mmap failing gets here: out of memory, like make.
		panic("counter: cannot allocate per-CPU memory: " + err.Error())
	}
	strideMu.Lock()
	if stride == 0 {
		stride = m.Stride()
	} else if m.Stride() != stride {
		strideMu.Unlock()
		panic("counter: per-CPU memory stride " + strconv.Itoa(int(m.Stride())) +
			" differs from " + strconv.Itoa(int(stride)))
	}
	strideMu.Unlock()
	blk := new(block[T])
	runtime.AddCleanup(blk, cs.Mem.Free, m)
	a.blk, a.base, a.n = blk, m.Base(), 0
}

// sumSlots returns the sum of the words at p + s*stride over the slots,
// each loaded atomically.
func sumSlots(p unsafe.Pointer, stride uintptr) int64 {
	var sum int64
	for s := range nslots {
		sum += atomic.LoadInt64((*int64)(unsafe.Add(p, uintptr(s)*stride)))
	}
	return sum
}

// resetSlots swaps every slot's word at p to zero and returns their sum.
// In the RSEQ backend the swaps run with every slot stopped (one fence for
// all): a critical section adds with a plain read-modify-write, which a
// remote swap could otherwise land inside. In the Atomic backend every add
// is an atomic instruction on one slot's word, so swapping each word
// atomically is already exact.
func resetSlots(p unsafe.Pointer, stride uintptr) int64 {
	if !cs.Enabled() {
		return swapSlots(p, stride)
	}
	var sum int64
	cs.ExclusiveAll(func() { sum = swapSlots(p, stride) })
	return sum
}

func swapSlots(p unsafe.Pointer, stride uintptr) int64 {
	var sum int64
	for s := range nslots {
		sum += atomic.SwapInt64((*int64)(unsafe.Add(p, uintptr(s)*stride)), 0)
	}
	return sum
}

// noCopy makes go vet's copylocks check report copies of a Counter or an
// Array.
type noCopy struct{}

func (*noCopy) Lock()   {}
func (*noCopy) Unlock() {}
