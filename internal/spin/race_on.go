//go:build race

package spin

// raceEnabled: the race detector does not see assembly stores, so Unlock
// releases with sync/atomic for it to see the happens-before edge.
const raceEnabled = true
