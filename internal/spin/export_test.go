package spin

// Export guts for testing.

// StoreRelease and StoreReleaseGeneric are the release store Unlock uses
// and its sync/atomic twin.
func StoreRelease(p *uint32, v uint32)        { storeRelease(p, v) }
func StoreReleaseGeneric(p *uint32, v uint32) { storeReleaseGeneric(p, v) }

// UnlockWith releases l with the given store, so that a test can run both
// in one binary.
func (l *Lock) UnlockWith(store func(*uint32, uint32)) { store(&l.w, 0) }

// RaceEnabled reports whether the race detector is on: it takes the plain
// store for a race, so its tests run with the sync/atomic twin only.
const RaceEnabled = raceEnabled
