package list_test

import (
	"runtime"
	"time"
)

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
