//go:build cgo

package counter_test

// Linking runtime/cgo puts the test binary on libc's threads, so that the
// default test run (cgo on) exercises glibc's rseq registration and the
// CGO_ENABLED=0 run exercises the core's own.
import _ "runtime/cgo"
