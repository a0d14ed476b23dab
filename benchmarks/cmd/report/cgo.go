//go:build cgo

package main

// Linking runtime/cgo puts the report on libc's threads wherever a C
// compiler is at hand. On linux/amd64 the module's RSEQ backend runs either
// way; on linux/arm64 it needs glibc's registration, so without this line a
// build that happened to link no cgo package would measure the fallback.
import _ "runtime/cgo"
