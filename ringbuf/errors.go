package ringbuf

import (
	"errors"
	"strconv"
)

// Errors. Construction errors wrap ErrCapacity or ErrType and name the bad
// argument and its value; Records.Push returns ErrFull itself and wraps
// ErrTooLarge.
var (
	// ErrCapacity: a per-CPU capacity out of range.
	ErrCapacity = errors.New("ringbuf: capacity out of range")
	// ErrType: an element type a Ring cannot hold (it holds pointers, or
	// it is larger than MaxValueSize).
	ErrType = errors.New("ringbuf: unsupported element type")
	// ErrFull: the current CPU's ring has no room for the record now; the
	// drop is counted (Records.Dropped).
	ErrFull = errors.New("ringbuf: ring full")
	// ErrTooLarge: the record can never fit (Records.MaxRecord); it is not
	// counted as a drop.
	ErrTooLarge = errors.New("ringbuf: record too large")
)

// sizeError is a record larger than the limit. It wraps ErrTooLarge.
type sizeError struct{ size, limit int }

func (e *sizeError) Error() string {
	return "ringbuf: record of " + strconv.Itoa(e.size) + " bytes exceeds the limit of " +
		strconv.Itoa(e.limit) + " bytes"
}

func (e *sizeError) Unwrap() error { return ErrTooLarge }
