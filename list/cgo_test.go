//go:build cgo

package list_test

// With cgo the test binary runs on glibc's threads, and the RSEQ backend
// uses glibc's rseq registration; without it the binary stays pure Go.
import _ "runtime/cgo"
