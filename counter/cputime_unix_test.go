//go:build unix

package counter_test

import "syscall"

// cpuNanos returns the CPU time (user and system) the process has used, in
// nanoseconds, or -1.
func cpuNanos() int64 {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return -1
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}
