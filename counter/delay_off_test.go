//go:build !rseqdelay

package counter_test

// delayBuild: see delay_on_test.go.
const delayBuild = false
