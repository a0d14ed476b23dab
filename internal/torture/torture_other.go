//go:build !linux

package torture

import (
	"errors"
	"runtime"
)

// Signals and migrations are Linux injectors; elsewhere they do nothing.

func signalThreads() uint64 { return 0 }

func saveAffinity() func() { return nil }

func migrateThreads() uint64 { return 0 }

// AllowedCPUs returns nil: the CPU set is not known here.
func AllowedCPUs() []int { return nil }

// Pin fails: threads are pinned on Linux only.
func Pin(cpu int) (unpin func(), err error) {
	return nil, errors.ErrUnsupported
}

// kernelRelease names the operating system: its kernel release is not read.
func kernelRelease() string { return runtime.GOOS }
