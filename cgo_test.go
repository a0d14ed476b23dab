//go:build cgo

package rseq_test

// Linking runtime/cgo puts the test binary on libc's threads (glibc registers
// rseq); CGO_ENABLED=0 runs test the module's own registration.
import _ "runtime/cgo"
