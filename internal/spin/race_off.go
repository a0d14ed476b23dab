//go:build !race

package spin

const raceEnabled = false
