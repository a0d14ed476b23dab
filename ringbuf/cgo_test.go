//go:build cgo

package ringbuf_test

// Importing runtime/cgo puts the test binary on libc's threads, so that the
// default run tests glibc's rseq registration (without it the binary stays
// pure Go even with CGO_ENABLED=1).
import _ "runtime/cgo"
