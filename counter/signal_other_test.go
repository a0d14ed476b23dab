//go:build !unix

package counter_test

import "runtime"

// signalSelf has no signal to send here; it yields instead.
func signalSelf() { runtime.Gosched() }
