package list

import (
	"sync/atomic"
	"unsafe"

	"github.com/gorseq/rseq/internal/cs"
)

// TEMPORARY stand-ins for the per-CPU stack sections (cs.StackPop and
// cs.StackPush), correct but slow (a fence each), until the sections land.

func stackPop(p unsafe.Pointer, stride uintptr) (i uint32, st cs.Status) {
	s := cs.CurrentSlot()
	st = cs.CmpFailed
	cs.Exclusive(s, func() {
		c := (*uint64)(unsafe.Add(p, uintptr(s)*stride))
		n := atomic.LoadUint64(c)
		if n == 0 {
			return
		}
		i = *(*uint32)(unsafe.Add(p, uintptr(s)*stride+stackIdx+uintptr(n-1)*4))
		atomic.StoreUint64(c, n-1)
		st = cs.OK
	})
	return i, st
}

func stackPush(p unsafe.Pointer, stride uintptr, i uint32, max uint64) (st cs.Status) {
	s := cs.CurrentSlot()
	st = cs.CmpFailed
	cs.Exclusive(s, func() {
		c := (*uint64)(unsafe.Add(p, uintptr(s)*stride))
		n := atomic.LoadUint64(c)
		if n >= max {
			return
		}
		*(*uint32)(unsafe.Add(p, uintptr(s)*stride+stackIdx+uintptr(n)*4)) = i
		atomic.StoreUint64(c, n+1)
		st = cs.OK
	})
	return st
}

func listPopHereTmp(head unsafe.Pointer, stride, links uintptr, sentinel uint64) (uint64, cs.Status) {
	for {
		s := cs.CurrentSlot()
		h := unsafe.Add(head, uintptr(s)*stride)
		x, st := cs.ListPop(s, (*uint64)(h), unsafe.Add(h, links), sentinel)
		if st != cs.Moved {
			return x, st
		}
	}
}

func listPushHereTmp(head unsafe.Pointer, stride, links uintptr, node uint64) {
	for {
		s := cs.CurrentSlot()
		h := (*uint64)(unsafe.Add(head, uintptr(s)*stride))
		old := atomic.LoadUint64(h)
		if cs.CmpStoreStore(s, h, old, (*uint64)(unsafe.Add(unsafe.Pointer(h), links+8*uintptr(node))), old, node) == cs.OK {
			return
		}
	}
}
