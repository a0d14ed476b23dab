package torture

import (
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/gorseq/rseq/internal/cs"
)

// Scale picks a test size: full, race under the race detector, or short
// under -short.
func Scale(full, race, short int) int {
	switch {
	case testing.Short():
		return short
	case cs.RaceEnabled:
		return race
	}
	return full
}

// StressTime is how long each stress subtest hammers. Losses come from
// faults that land inside a section, so a run must span many of them
// whatever an operation costs; it is bounded in time, not in operations,
// so that the rseqdelay and rseqabort builds, whose operations are a
// thousand times slower, take no longer. -torture.d makes it a soak.
func StressTime() time.Duration {
	return Duration(50*time.Millisecond, 200*time.Millisecond)
}

// Workers is the kernel rseq selftest's thread count: 6 per CPU.
func Workers() int { return 6 * runtime.NumCPU() }

// Loop runs f(0), f(1), ... on a new goroutine of wg until stop is closed.
func Loop(wg *sync.WaitGroup, stop <-chan struct{}, f func(i int)) {
	wg.Go(func() {
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			f(i)
		}
	})
}
