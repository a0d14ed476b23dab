//go:build race

package cs

import (
	"runtime"
	"unsafe"
)

// RaceEnabled reports whether the race detector is on.
const RaceEnabled = true

// RaceRelease tells the race detector that what the calling goroutine wrote
// so far is published through addr (as a store-release would): the asm's
// commit stores are invisible to the detector, so structures that hand data
// from one goroutine to another through a critical section say so here,
// before the section. It compiles to nothing without -race.
func RaceRelease(addr unsafe.Pointer) { runtime.RaceReleaseMerge(addr) }

// RaceAcquire pairs with RaceRelease: call it after observing data
// published through addr.
func RaceAcquire(addr unsafe.Pointer) { runtime.RaceAcquire(addr) }
