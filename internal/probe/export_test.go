package probe

import "sync/atomic"

// Entry returns p's table entry.
func Entry(p Probe) *atomic.Uint32 { return p.entry }

// WithSalt returns a probe on the entry of p with another salt: a second
// goroutine whose hash met p's on one entry.
func WithSalt(p Probe, salt uint32) Probe { return Probe{entry: p.entry, salt: salt} }
