//go:build unix

package ringbuf_test

import (
	"os"
	"syscall"
)

// signalSelf sends the process a SIGURG, the signal the Go runtime uses to
// preempt goroutines: it interrupts whatever thread runs, aborting any
// critical section there, and the runtime otherwise ignores it.
func signalSelf() { syscall.Kill(os.Getpid(), syscall.SIGURG) }
