//go:build cgo

package benchmarks_test

// Linking runtime/cgo puts the benchmarks on libc's threads where a C
// compiler is at hand: on linux/arm64 the RSEQ backend needs glibc's
// registration (on linux/amd64 it runs either way).
import _ "runtime/cgo"
