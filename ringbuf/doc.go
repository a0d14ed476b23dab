// Package ringbuf provides per-CPU ring buffers: [Ring], for fixed-size
// values without pointers, and [Records], for variable-size byte records.
// They have the shape of LTTng's per-CPU tracing buffers: producers on a CPU
// append to that CPU's ring, consumers drain every ring. Use them for event
// and trace capture, log records, or metrics samples taken on hot paths.
//
// # Producers and consumers
//
// Producers never wait. Push appends to the ring of the CPU slot the
// calling thread runs on; when that ring is full, Push reports it at once
// (false, or [ErrFull]) and counts a drop (Dropped). No lock is shared with
// consumers and no producer spins on a consumer's progress.
//
// Any number of goroutines may consume, with Pop, PopN, Drain (Ring) and
// Wait. Consumers claim a value or record by compare-and-swap on the
// ring's head, a word producers only read (a Records producer may also
// move it past a wrap marker of its own, by the same compare-and-swap), so
// consumers do not slow producers beyond the cache traffic on that word;
// they coordinate among themselves by that compare-and-swap only.
// [Ring.PopN] claims many values of a ring with one compare-and-swap.
// Wait parks the goroutine until something is pushed or its context ends;
// a producer pays one load of a read-mostly word to find out whether
// anyone waits.
//
// # Ordering
//
// Each CPU's ring is FIFO: values pushed to one ring come out in the order
// they were pushed. There is no order across rings: Pop takes from some
// non-empty ring (the calling thread's first), Drain goes ring by ring, and
// a goroutine that moves to another CPU between two Pushes may see its
// values come out in the other order. To get a total order, stamp values
// when pushing them (a sequence number from an atomic counter, or a
// timestamp, as tracers do) and sort or merge on the consumer side; values
// from one ring are already sorted by stamp, so a k-way merge of the rings
// is enough when the stamps come from one counter.
//
// A successful Push "synchronizes before" the Pop or Drain that returns its
// value.
//
// # Atomicity
//
// A value or record is published whole or not at all: consumers never see
// part of one, and never return one twice. Records can carry a checksum
// (WithChecksum) that Pop verifies, so that damage to the rings' memory is
// detected rather than returned; such records are counted (Corrupt) and
// skipped.
//
// # Backends
//
// The backends are described in [github.com/gorseq/rseq], whose Detect
// reports which one runs; the guarantees above hold in both. In the RSEQ
// backend each slot's ring lives in off-heap per-CPU memory and Push is one
// restartable sequence that copies the value or record into the ring and
// publishes it by moving the ring's tail: the CPU serializes its
// producers, so each ring has one producer at a time and no atomic
// instruction is needed to append. This is why T must hold no pointers:
// the garbage collector does not scan the rings. In the Atomic backend
// each slot's ring is a [lockfree.Queue], chosen by a probe derived from
// the goroutine that moves to another ring when a push meets contention
// (as Java's LongAdder spreads threads over its cells); several goroutines
// may push to one ring at once.
//
// Len, Dropped and Corrupt read the rings one after another and are exact
// only when nothing runs concurrently.
package ringbuf
