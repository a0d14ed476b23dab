//go:build !rseqslots

package cs

// forcedSlots: the rseqslots test build sets the slot count (see
// forceslots_on.go); elsewhere it is the kernel's possible CPUs.
const forcedSlots = 0
