package cs_test

import (
	"strconv"
	"sync/atomic"
	"testing"
	"unsafe"

	"github.com/gorseq/rseq/internal/cs"
)

// Each primitive as /impl=rseq (the asm section), /impl=atomic (the Atomic
// backend's version) and /impl=generic (the generic Go version,
// unsynchronized: a floor), with the floors beside them. Run with -cpu 1,2.
//
// The loops look alike on purpose (the duplicates tool pairs them): each
// calls its primitive directly, because a shared helper would take a func
// value, and an indirect call costs more than the primitives it would
// measure (DESIGN.md: 3.2-5.8 ns against about 2).

func benchMem(b *testing.B, size uintptr) cs.Mem { return allocMem(b, size, 64) }

func BenchmarkFloor(b *testing.B) {
	b.Run("impl=emptyasm", func(b *testing.B) {
		for b.Loop() {
			cs.EmptyAsm()
		}
	})
	// An asm call that adds to memory, with no section: AddInt64's floor
	// beyond the call (each add waits for the previous one's store).
	b.Run("impl=asmadd", func(b *testing.B) {
		var x int64
		for b.Loop() {
			cs.PlainAddAsm(&x, 1)
		}
		sink.Store(x)
	})
	b.Run("impl=plain", func(b *testing.B) {
		var x int64
		for b.Loop() {
			x++
		}
		sink.Store(x)
	})
	b.Run("impl=atomic.Int64", func(b *testing.B) {
		var x atomic.Int64
		for b.Loop() {
			x.Add(1)
		}
	})
}

var sink atomic.Int64

func BenchmarkAdd(b *testing.B) {
	m := benchMem(b, 8)
	b.Run("impl=rseq", func(b *testing.B) {
		needRSEQ(b)
		for b.Loop() {
			cs.AddInt64(m.Base(), m.Stride(), 1)
		}
	})
	b.Run("impl=atomic", func(b *testing.B) {
		s := cs.CurrentSlot()
		for b.Loop() {
			cs.AtomicAdd(m.Base(), m.Stride(), s, 1)
		}
	})
	b.Run("impl=generic", func(b *testing.B) {
		s := cs.CurrentSlot()
		for b.Loop() {
			cs.AddGeneric(m.Base(), m.Stride(), s, 1)
		}
	})
}

// BenchmarkAddParallel: every goroutine adds to the same per-slot item
// (rseq: its own slot; shared: one atomic word for all).
func BenchmarkAddParallel(b *testing.B) {
	m := benchMem(b, 8)
	b.Run("impl=rseq", func(b *testing.B) {
		needRSEQ(b)
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				cs.AddInt64(m.Base(), m.Stride(), 1)
			}
		})
	})
	b.Run("impl=atomic", func(b *testing.B) {
		b.RunParallel(func(pb *testing.PB) {
			s := cs.HintSlot()
			for pb.Next() {
				cs.AtomicAdd(m.Base(), m.Stride(), s, 1)
			}
		})
	})
	b.Run("peer=shared-atomic.Int64", func(b *testing.B) {
		var x atomic.Int64
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				x.Add(1)
			}
		})
	})
}

func BenchmarkCmpStore(b *testing.B) {
	m := benchMem(b, 8)
	b.Run("impl=rseq", func(b *testing.B) {
		needRSEQ(b)
		var v uint64
		for b.Loop() {
			s := cs.CurrentSlot()
			w := (*uint64)(m.Slot(s))
			v = atomic.LoadUint64(w)
			cs.CmpStore(s, w, v, v+1)
		}
	})
	b.Run("impl=atomic", func(b *testing.B) {
		s := cs.CurrentSlot()
		w := (*uint64)(m.Slot(s))
		for b.Loop() {
			v := atomic.LoadUint64(w)
			cs.LockedCmpStore(s, w, v, v+1)
		}
	})
	b.Run("impl=generic", func(b *testing.B) {
		w := (*uint64)(m.Slot(0))
		for b.Loop() {
			v := atomic.LoadUint64(w)
			cs.CmpStoreGeneric(w, v, v+1)
		}
	})
	b.Run("peer=cas", func(b *testing.B) {
		var w atomic.Uint64
		for b.Loop() {
			v := w.Load()
			w.CompareAndSwap(v, v+1)
		}
	})
}

func BenchmarkCmpStoreStore(b *testing.B) {
	m := benchMem(b, 16)
	b.Run("impl=rseq", func(b *testing.B) {
		needRSEQ(b)
		for b.Loop() {
			s := cs.CurrentSlot()
			w := (*uint64)(m.Slot(s))
			v := atomic.LoadUint64(w)
			cs.CmpStoreStore(s, w, v, (*uint64)(unsafe.Add(m.Slot(s), 8)), v, v+1)
		}
	})
	b.Run("impl=generic", func(b *testing.B) {
		w := (*uint64)(m.Slot(0))
		w2 := (*uint64)(unsafe.Add(m.Slot(0), 8))
		for b.Loop() {
			v := atomic.LoadUint64(w)
			cs.CmpStoreStoreGeneric(w, v, w2, v, v+1)
		}
	})
}

func BenchmarkCmpMemcpyStore(b *testing.B) {
	for _, n := range []int{16, 256} {
		m := benchMem(b, uintptr(8+n))
		src := make([]byte, n)
		b.Run("size="+strconv.Itoa(n)+"/impl=rseq", func(b *testing.B) {
			needRSEQ(b)
			b.SetBytes(int64(n))
			for b.Loop() {
				s := cs.CurrentSlot()
				w := (*uint64)(m.Slot(s))
				v := atomic.LoadUint64(w)
				cs.CmpMemcpyStore(s, w, v, unsafe.Add(m.Slot(s), 8), unsafe.Pointer(&src[0]), uintptr(n), v+1)
			}
		})
		b.Run("size="+strconv.Itoa(n)+"/impl=generic", func(b *testing.B) {
			b.SetBytes(int64(n))
			w := (*uint64)(m.Slot(0))
			for b.Loop() {
				v := atomic.LoadUint64(w)
				cs.CmpMemcpyStoreGeneric(w, v, unsafe.Add(m.Slot(0), 8), unsafe.Pointer(&src[0]), uintptr(n), v+1)
			}
		})
	}
}

// BenchmarkListPopPush: pop a node and push it back, on the current slot.
func BenchmarkListPopPush(b *testing.B) {
	const nodes = 64
	m := benchMem(b, 8+8*nodes)
	for s := range cs.Slots() {
		head := (*uint64)(m.Slot(s))
		links := unsafe.Slice((*uint64)(unsafe.Add(m.Slot(s), 8)), nodes)
		*head = nodes
		for i := range nodes {
			links[i] = *head
			*head = uint64(i)
		}
	}
	b.Run("impl=rseq", func(b *testing.B) {
		needRSEQ(b)
		for b.Loop() {
			s := cs.CurrentSlot()
			head := (*uint64)(m.Slot(s))
			links := unsafe.Add(m.Slot(s), 8)
			node, st := cs.ListPop(s, head, links, nodes)
			if st != cs.OK {
				continue
			}
			for {
				s := cs.CurrentSlot()
				head := (*uint64)(m.Slot(s))
				old := atomic.LoadUint64(head)
				if cs.CmpStoreStore(s, head, old, (*uint64)(unsafe.Add(m.Slot(s), 8+8*node)), old, node) == cs.OK {
					break
				}
			}
		}
	})
}

func BenchmarkCurrentSlot(b *testing.B) {
	var x int
	for b.Loop() {
		x += cs.CurrentSlot()
	}
	sink.Store(int64(x))
}

func BenchmarkFence(b *testing.B) {
	needRSEQ(b)
	b.Run("slot", func(b *testing.B) {
		for b.Loop() {
			cs.Exclusive(0, func() {})
		}
	})
	b.Run("all", func(b *testing.B) {
		for b.Loop() {
			cs.ExclusiveAll(func() {})
		}
	})
	b.Run("barrier", func(b *testing.B) {
		for b.Loop() {
			cs.Barrier()
		}
	})
}
