// Package spin is the spin lock of the Atomic backend's per-slot data: one
// atomic swap to take it, one plain store to release it.
//
// A locked instruction costs several nanoseconds on current x86 cores, and
// sync/atomic's Store is one (an XCHG), so a lock released with it costs
// two. On amd64 a plain store already orders every earlier load and store
// before it (a release), so Unlock is a plain store, made in a function the
// compiler may not inline, so that it keeps the caller's accesses before
// it. Elsewhere, with -tags purego and under the race detector (which must
// see the release), Unlock is sync/atomic's Store; on arm64 that is
// already a store-release (STLR).
//
// TryLock is a swap (test-and-set) rather than a compare-and-swap: on
// amd64 an XCHG, which costs less than a LOCK CMPXCHG and needs no
// comparison after it. Swapping 1 into a held lock changes nothing.
//
// The lock does not park: a waiter rechecks a few times, then yields the
// processor between tries, so that a holder that was preempted gets to run
// and release. Hold it for a few plain loads and stores only.
package spin

import (
	"runtime"
	"sync/atomic"
)

// A Lock is a spin lock. The zero Lock is unlocked. A Lock must not be
// copied after first use.
type Lock struct {
	w uint32 // 1 while held
}

// TryLock takes l if it is free and reports whether it did. It never
// waits.
func (l *Lock) TryLock() bool { return atomic.SwapUint32(&l.w, 1) == 0 }

// Lock takes l, waiting while another goroutine holds it.
func (l *Lock) Lock() {
	if !l.TryLock() {
		l.lockSlow()
	}
}

func (l *Lock) lockSlow() {
	for i := 0; ; i++ {
		if atomic.LoadUint32(&l.w) == 0 && l.TryLock() {
			return
		}
		if i >= 16 { // a few quick rechecks first: holders are brief
			runtime.Gosched()
		}
	}
}

// Unlock releases l, which the caller holds. What the caller did while
// holding l synchronizes before the Lock or TryLock that takes it next.
func (l *Lock) Unlock() {
	if raceEnabled {
		atomic.StoreUint32(&l.w, 0)
		return
	}
	storeRelease(&l.w, 0)
}

// Held reports whether some goroutine holds l: a snapshot, for tests.
func (l *Lock) Held() bool { return atomic.LoadUint32(&l.w) != 0 }
