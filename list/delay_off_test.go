//go:build !rseqdelay

package list_test

// delayBuild: see delay_on_test.go.
const delayBuild = false
