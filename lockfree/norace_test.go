//go:build !race

package lockfree_test

const raceEnabled = false
