// Package lockfree provides concurrent containers built only on
// sync/atomic: a bounded multi-producer multi-consumer FIFO [Queue], an
// unbounded LIFO [Stack], and an [IndexStack] of small integer indices for
// building free lists and object pools.
//
// They are the algorithms behind the Atomic backend (see
// [github.com/gorseq/rseq]) of the ringbuf and list packages, and they may
// be used on their own. Unlike the rest of the
// module they have a single implementation: there is no RSEQ path, no
// assembly and no build tag, so they behave the same on every platform Go
// supports, with or without the purego tag.
//
// # Guarantees
//
// All methods are safe for use by multiple goroutines simultaneously, and
// none of them waits: no method takes a lock, parks its goroutine or spins
// waiting for another goroutine to finish. A method that cannot complete
// (Push on a full Queue, Pop on an empty container) reports so at once and
// leaves retrying, yielding or blocking to the caller.
//
// [Stack] and [IndexStack] are lock-free: a method retries only when
// another goroutine's method succeeded in the meantime, so some goroutine
// always makes progress. They are not wait-free: one goroutine may in
// principle retry indefinitely under contention. Their methods are
// linearizable: each appears to take effect at a single instant between its
// call and its return, Pop reporting false included.
//
// [Queue], Dmitry Vyukov's bounded queue, promises less, by design. Its
// methods never wait and its successful operations are linearizable, but
// it is not lock-free in the strict sense: a Push that has claimed a slot
// and not yet filled it (its goroutine preempted, say) hides that element,
// and every element behind it, from consumers until it finishes, so one
// stalled producer stops every consumer once they reach its slot; likewise
// a slow Pop can make Push report false before the queue is full. See
// [Queue.Push] and [Queue.Pop] for the exact conditions.
//
// The Len methods are approximate under concurrency: they are exact only
// when no other method runs at the same time.
//
// In the terminology of the Go memory model, a Push of a value
// "synchronizes before" the Pop that returns it, for every container here.
package lockfree
