package ringbuf

import (
	"context"
	"sync/atomic"
	"unsafe"

	"github.com/gorseq/rseq/internal/cs"
)

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

func (w *notifier) init() { w.wake = make(chan struct{}, 1) }

// notify wakes one parked consumer, if any. Producers call it after every
// successful push; the fast path is one load.
func (w *notifier) notify() {
	if w.waiters.Load() != 0 {
		w.signal()
	}
}

func (w *notifier) signal() {
	select {
	case w.wake <- struct{}{}:
	default:
	}
}

// availability reports whether something is there to take.
type availability interface{ available() bool }

// wait blocks until a.available() or ctx ends.
func (w *notifier) wait(ctx context.Context, a availability) error {
	for {
		if a.available() {
			return nil
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		w.waiters.Add(1)
		cs.Barrier()
		if a.available() {
			w.waiters.Add(-1)
			return nil
		}
		select {
		case <-w.wake:
		case <-ctx.Done():
		}
		w.waiters.Add(-1)
	}
}
