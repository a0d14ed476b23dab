//go:build !cgo

package cs_test

// cgoLinked: this test binary runs on libc's threads.
const cgoLinked = false
