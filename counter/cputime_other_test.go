//go:build !unix

package counter_test

// cpuNanos returns -1: no CPU clock here.
func cpuNanos() int64 { return -1 }
