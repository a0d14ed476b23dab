//go:build !race

package ringbuf_test

const raceEnabled = false
