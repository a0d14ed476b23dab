//go:build gc && !purego

package cs

import (
	"errors"
	"fmt"

	"golang.org/x/sys/unix"
)

// stopSpacingRSEQ is the distance between two stop words in the RSEQ
// backend: a cache line each (the arm64 sections shift the slot index by
// cacheLineShift).
const stopSpacingRSEQ = CacheLine

// How threads find their area on linux/arm64: only glibc's registration, in
// cgo binaries. See the package doc ("linux/arm64") for why a pure-Go binary
// has no safe per-thread anchor and takes the Atomic backend.

// Implemented in thread_linux_arm64.s.

// tpProbe returns the calling thread's TPIDR_EL0.
func tpProbe() uintptr

// tpInit is the thread pointer of the thread that ran init.
var tpInit uintptr

// initThreadMode accepts only libc's convention: a thread pointer set (by
// libc), glibc's __rseq_offset and __rseq_size found in the dynamic loader,
// and the area at TP + __rseq_offset registered for this thread.
// checkThreadAnchor then checks on a second thread that its thread pointer
// is its own.
func initThreadMode(auxv map[uint64]uint64) string {
	tpInit = tpProbe()
	if tpInit == 0 {
		return pureGoReason
	}
	why, missing := useLibcArea(auxv)
	if missing {
		return why + "; " + pureGoReason
	}
	return why
}

// pureGoReason is the Reason of a pure-Go linux/arm64 binary.
const pureGoReason = "pure-Go binary on linux/arm64: threads inherit TPIDR_EL0 from their creator, " +
	"so there is no safe per-thread anchor for an rseq area (build with cgo, on glibc 2.35 or later)"

// checkThreadAnchor runs on the self-check's thread, which is not init's
// (package initialization keeps the main goroutine on the main thread). In
// a cgo binary every thread is a pthread with a thread pointer of its own;
// in a pure-Go PIE the dynamic loader set the first thread's, every later
// thread shares it, and glibc's area there belongs to the first thread
// alone. The probe comes second: on a thread that does not own the area it
// would register it (libcProbe undoes that, but only a distinct pointer
// makes the probe meaningful).
func checkThreadAnchor() error {
	tp := tpProbe()
	if tp == tpInit {
		return errors.New("two threads share one thread pointer (a pure-Go PIE?): " + pureGoReason)
	}
	if e := unix.Errno(libcProbe(areaOffset)); e != unix.EBUSY {
		return fmt.Errorf("glibc's rseq area of a second thread is not registered (probe: %v)", e)
	}
	return nil
}

// registerThread has nothing to do: glibc registers every thread it creates.
func registerThread() {}
