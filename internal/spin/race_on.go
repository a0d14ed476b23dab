//go:build race

package spin

// raceEnabled: the race detector takes the plain store for a race, so Unlock
// releases with sync/atomic for it to see the happens-before edge.
const raceEnabled = true
