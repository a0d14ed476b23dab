//go:build cgo

package spin_test

// Linking runtime/cgo puts the test binary on libc's threads, as in every
// other package, so that a cgo run (.ci/vm's arm64 cgo runs) has one shape.
import _ "runtime/cgo"
