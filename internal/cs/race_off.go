//go:build !race

package cs

import "unsafe"

// RaceEnabled reports whether the race detector is on.
const RaceEnabled = false

// RaceRelease tells the race detector that what the calling goroutine wrote
// so far is published through addr. It compiles to nothing without -race.
func RaceRelease(addr unsafe.Pointer) {}

// RaceAcquire pairs with RaceRelease. It compiles to nothing without -race.
func RaceAcquire(addr unsafe.Pointer) {}
