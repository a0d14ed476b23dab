package list

import (
	"runtime"
	"sync/atomic"

	"github.com/gorseq/rseq/internal/cs"
)

// The Atomic backend's per-slot stacks: one lock-free Treiber stack of
// indices per slot, all threaded through one shared array of links. An
// index is on at most one of the stacks at a time, or owned by one caller,
// so its link is written only by its owner, when it pushes it: one array
// serves every stack of a set, however indices move between them.
//
// Each head packs a 32-bit tag and the top index into one word that is
// compare-and-swapped as a unit; every successful push and pop increments
// the tag, which defeats ABA (a pop that loaded a stale link fails its
// CAS). The tag also versions the stack: two loads of a head that return
// the same word saw no operation in between, which is how empty proves
// that every stack was empty at one instant (a double collect).
//
// Which stack a goroutine uses is its probe (internal/probe): a slot
// picked from a per-goroutine word that moves to another slot when a CAS
// fails, as Java's LongAdder (Striped64) rehashes a thread's probe on
// contention. Goroutines that collide on a slot thus spread out by
// themselves, and a goroutine that meets no contention keeps its slot, and
// its cache line.

// stripe is one slot's head, on a cache line of its own.
type stripe struct {
	head atomic.Uint64 // tag<<32 | top; top == noIndex when empty
	_    [cs.CacheLine - 8]byte
}

// noIndex marks an empty stack and the bottom of every stack.
const noIndex = ^uint32(0)

// stripes is a set of per-slot stacks over the indices [0, len(next)).
type stripes struct {
	heads []stripe
	next  []uint32 // next[i]: the index below i on its stack (see setNext)
}

func newStripes(slots, n int) *stripes {
	st := &stripes{heads: make([]stripe, slots), next: make([]uint32, n)}
	for s := range st.heads {
		st.heads[s].head.Store(uint64(noIndex))
	}
	return st
}

// setNext and getNext write and read a link. A link is written by the
// owner of its index before the compare-and-swap that publishes it, and
// read after the atomic load of the head that found the index: that pair
// is ordered by the atomics. The only other read is a pop's of the link
// below a top that another caller pops and pushes again meanwhile; its
// result is then thrown away, as the head's tag fails the pop's CAS. Go
// guarantees that such a racing read of a word returns some value written
// to it, so plain accesses suffice, and spare the push a locked XCHG
// (atomic stores are one on amd64). Race builds use atomics, so that the
// detector does not report the benign race.
func (st *stripes) setNext(i, v uint32) {
	if cs.RaceEnabled {
		atomic.StoreUint32(&st.next[i], v)
		return
	}
	st.next[i] = v
}

func (st *stripes) getNext(i uint32) uint32 {
	if cs.RaceEnabled {
		return atomic.LoadUint32(&st.next[i])
	}
	return st.next[i]
}

// push puts i, owned by the caller, on stack s. It reports whether a CAS
// failed on the way (contention: the caller should move its probe).
func (st *stripes) push(s int, i uint32) (contended bool) {
	h := &st.heads[s].head
	for {
		old := h.Load()
		st.setNext(i, uint32(old))
		if h.CompareAndSwap(old, (old>>32+1)<<32|uint64(i)) {
			return contended
		}
		contended = true
	}
}

// pop takes the top index of stack s. It reports false when the stack is
// empty, and whether a CAS failed on the way.
func (st *stripes) pop(s int) (i uint32, ok, contended bool) {
	h := &st.heads[s].head
	for {
		old := h.Load()
		top := uint32(old)
		if top == noIndex {
			return 0, false, contended
		}
		below := st.getNext(top)
		if h.CompareAndSwap(old, (old>>32+1)<<32|uint64(below)) {
			return top, true, contended
		}
		contended = true
	}
}

// popAny takes an index from the first non-empty stack from s on. It
// returns false only when every stack was empty at one instant: a scan
// that finds nothing is confirmed by two collects of every head, both
// empty with the same sum of words; since every operation increments its
// stack's tag, equal sums mean no stack changed between the two, so at the
// instant between them every stack was empty (unless 2³² operations ran
// in between, the tag's own assumption). When heads keep changing it scans
// again: each change is another caller's successful operation, and after a
// few rounds it yields to let them finish.
func (st *stripes) popAny(s int) (uint32, bool) {
	n := len(st.heads)
	for round := 0; ; round++ {
		for k := range n {
			o := s + k
			if o >= n {
				o -= n
			}
			if i, ok, _ := st.pop(o); ok {
				return i, true
			}
		}
		if a, empty := st.collect(); empty {
			if b, empty := st.collect(); empty && a == b {
				return 0, false
			}
		}
		if round >= 4 {
			runtime.Gosched()
		}
	}
}

// collect sums every head word and reports whether every stack is empty.
func (st *stripes) collect() (sum uint64, empty bool) {
	empty = true
	for k := range st.heads {
		h := st.heads[k].head.Load()
		sum += h
		if uint32(h) != noIndex {
			empty = false
		}
	}
	return sum, empty
}

// count walks every stack. It is exact when no push or pop runs; with
// callers running it may be off, and it stops after n indices per stack.
func (st *stripes) count() int {
	total := 0
	for s := range st.heads {
		total += st.countSlot(s)
	}
	return total
}

// countSlot walks stack s, as count does.
func (st *stripes) countSlot(s int) int {
	n := 0
	for i := uint32(st.heads[s].head.Load()); i != noIndex && n < len(st.next); i = st.getNext(i) {
		n++
	}
	return n
}
