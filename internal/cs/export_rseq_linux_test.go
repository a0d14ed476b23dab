//go:build gc && !purego && (amd64 || arm64)

package cs

import "runtime"

// BoundSlots makes the sections and CurrentSlot treat slot indices from n
// up as out of range, as they treat the index of a thread on a kernel that
// reports more CPUs than there are slots, and returns a function that puts
// the bound back. The memory keeps Slots() slots. Call it while no other
// goroutine runs sections.
func BoundSlots(n int) (restore func()) {
	oldU, oldHot := slotsU, hot.slots
	slotsU, hot.slots = uint32(n), uint32(n)
	return func() { slotsU, hot.slots = oldU, oldHot }
}

func init() {
	MoveInRange = func() (func(), error) {
		idx, _ := RawCurrent()
		if nslots < runtime.NumCPU() {
			// Fewer slots than CPUs: pin even a thread in range now,
			// so that it stays there (with cpu_id slots).
			idx = -1
		}
		return moveInRange(uint32(idx))
	}
}
