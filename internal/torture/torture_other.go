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

// AllowedCPUs returns 0 to NumCPU-1: the CPU set is not known here.
func AllowedCPUs() []int {
	cpus := make([]int, runtime.NumCPU())
	for i := range cpus {
		cpus[i] = i
	}
	return cpus
}

// Pin fails: threads are pinned on Linux only.
func Pin(cpu int) (unpin func(), err error) {
	return nil, errors.ErrUnsupported
}

// kernelRelease names the operating system: its kernel release is not read.
func kernelRelease() string { return runtime.GOOS }
