// Package argerr builds the error the module's constructors return for an
// argument out of range, so that every package words it the same way.
package argerr

import "strconv"

// Range returns an error that reads "fn: arg val out of range [lo, hi]" and
// wraps sentinel (errors.Is(err, sentinel) holds). fn names the package and
// the function, as in "ringbuf: New".
func Range(sentinel error, fn, arg string, val, lo, hi int) error {
	return &rangeError{
		msg: fn + ": " + arg + " " + strconv.Itoa(val) +
			" out of range [" + strconv.Itoa(lo) + ", " + strconv.Itoa(hi) + "]",
		sentinel: sentinel,
	}
}

type rangeError struct {
	msg      string
	sentinel error
}

func (e *rangeError) Error() string { return e.msg }
func (e *rangeError) Unwrap() error { return e.sentinel }
