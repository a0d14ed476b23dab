//go:build unix && !linux

package list_test

import (
	"os"
	"syscall"
)

// signalThreads sends the process a SIGURG, the signal the Go runtime
// preempts with and otherwise ignores.
func signalThreads() int {
	if syscall.Kill(os.Getpid(), syscall.SIGURG) != nil {
		return 0
	}
	return 1
}
