package cs

import (
	"sync/atomic"
	"unsafe"
)

// The generic (pure-Go) versions of the asm sections. They define the
// semantics, run in the slow paths (with the slot held, so they need no
// atomic read-modify-write), and are compared with the asm in the tests.
// Their word stores are atomic stores so that readers on other slots that
// load atomically (and the race detector) see a published word whole.

// addGeneric is the generic version of rseqAdd for a known slot.
func addGeneric(p unsafe.Pointer, stride uintptr, slot int, delta int64) {
	w := (*int64)(unsafe.Add(p, uintptr(slot)*stride))
	atomic.StoreInt64(w, atomic.LoadInt64(w)+delta)
}

// cmpStoreGeneric is the generic version of rseqCmpStore.
func cmpStoreGeneric(v *uint64, expect, newv uint64) Status {
	if atomic.LoadUint64(v) != expect {
		return CmpFailed
	}
	atomic.StoreUint64(v, newv)
	return OK
}

// cmpStoreStoreGeneric is the generic version of rseqCmpStoreStore.
func cmpStoreStoreGeneric(v *uint64, expect uint64, v2 *uint64, new2, newv uint64) Status {
	if atomic.LoadUint64(v) != expect {
		return CmpFailed
	}
	atomic.StoreUint64(v2, new2)
	atomic.StoreUint64(v, newv)
	return OK
}

// cmpMemcpyStoreGeneric is the generic version of rseqCmpMemcpyStore.
func cmpMemcpyStoreGeneric(v *uint64, expect uint64, dst, src unsafe.Pointer, n uintptr, newv uint64) Status {
	if atomic.LoadUint64(v) != expect {
		return CmpFailed
	}
	copy(unsafe.Slice((*byte)(dst), n), unsafe.Slice((*byte)(src), n))
	atomic.StoreUint64(v, newv)
	return OK
}

// listPopGeneric is the generic version of rseqListPop.
func listPopGeneric(head *uint64, next unsafe.Pointer, sentinel uint64) (uint64, Status) {
	node := atomic.LoadUint64(head)
	if node == sentinel {
		return node, CmpFailed
	}
	atomic.StoreUint64(head, atomic.LoadUint64((*uint64)(unsafe.Add(next, uintptr(node)*8))))
	return node, OK
}

// plainAddGeneric is plainAddAsm's twin: an add to memory, no section.
func plainAddGeneric(p *int64, delta int64) { *p += delta }
