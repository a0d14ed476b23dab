//go:build cgo

package cs_test

// Linking runtime/cgo puts the test binary on libc's threads, so that the
// default test run (cgo on) exercises glibc's rseq registration and the
// CGO_ENABLED=0 run exercises the package's own.
import _ "runtime/cgo"

// cgoLinked: this test binary runs on libc's threads.
const cgoLinked = true
