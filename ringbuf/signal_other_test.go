//go:build !unix

package ringbuf_test

import "runtime"

// signalSelf has no signal to send here; it yields instead.
func signalSelf() { runtime.Gosched() }
