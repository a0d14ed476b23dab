//go:build race

package lockfree_test

const raceEnabled = true
