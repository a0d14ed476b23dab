//go:build rseqslots

package cs

import (
	"fmt"
	"os"
	"strconv"
)

// SlotsEnv is the variable that sets the slot count in the rseqslots test
// build.
const SlotsEnv = "GORSEQ_SLOTS"

// forcedSlots: in the rseqslots test build, the slot count comes from
// GORSEQ_SLOTS (1 to maxSlots) instead of the kernel's possible CPUs, so
// that tests see slot counts this machine does not have: 64 or 256 slots on
// 2 CPUs, or fewer slots than CPUs, so that threads find slot indices out
// of range. A package-level variable, so it is set before init runs.
var forcedSlots = slotsFromEnv()

func slotsFromEnv() int {
	v := os.Getenv(SlotsEnv)
	if v == "" {
		return 0
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > maxSlots {
		panic(fmt.Sprintf("cs: %s=%q: want a slot count in [1, %d]", SlotsEnv, v, maxSlots))
	}
	return n
}
