//go:build cgo

package lockfree_test

// Linking runtime/cgo puts the test binary on libc's threads when cgo is
// on, as in the packages built on internal/cs: on linux/arm64 that is what
// gives the RSEQ backend, and .ci/vm's arm64 cgo runs show one shape.
import _ "runtime/cgo"
