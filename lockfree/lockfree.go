package lockfree

import "errors"

// cacheLine is the size, in bytes, that hot fields are padded to so that
// fields written by different goroutines never share a cache line. It is
// 128 rather than 64 to cover arm64 parts with 128-byte lines and x86 parts
// whose spatial prefetcher moves 64-byte lines in pairs.
const cacheLine = 128

// MaxCapacity is the largest capacity [NewQueue] accepts and the largest
// number of indices [NewIndexStack] accepts.
const MaxCapacity = 1 << 30

// ErrCapacity is returned, wrapped, by [NewQueue] and [NewIndexStack] when
// the requested size is below 1 or above [MaxCapacity].
var ErrCapacity = errors.New("lockfree: capacity out of range")
