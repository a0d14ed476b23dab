package list_test

import (
	"runtime"
	"time"

	"github.com/gorseq/rseq/internal/torture"
)

// stressTime is how long a stress test (each of its subtests, under
// torture.Stress) hammers: bounded in time, not operations, so that the
// rseqdelay and rseqabort builds, whose sections are a thousand times
// slower, take no longer; -torture.d makes it a soak.
func stressTime() time.Duration {
	return torture.Duration(50*time.Millisecond, 200*time.Millisecond)
}

// workers is the kernel selftest's thread count: 6 per CPU.
func workers() int { return 6 * runtime.NumCPU() }

// disturb is called by stress loops on every operation: it yields every
// 61st operation and sleeps a little every 1009th, shifting the goroutines'
// interleavings as the selftest's -y and -s options do.
func disturb(i int) {
	switch {
	case i%1009 == 1008:
		time.Sleep(time.Duration(i%7) * time.Microsecond)
	case i%61 == 60:
		runtime.Gosched()
	}
}
