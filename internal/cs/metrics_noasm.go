//go:build !linux || !(amd64 || arm64) || !gc || purego

package cs

import "unsafe"

// metricsAsm: AddFloat64 and AddPairAt have no section on this platform:
// they take the Atomic backend's paths.
const metricsAsm = false

// AddFloat64 adds delta to the float64 at p + s*stride, where s is the
// current slot: a compare-and-swap loop on its bits, on this platform. See
// metrics_linux.go for the contract.
func AddFloat64(p unsafe.Pointer, stride uintptr, delta float64) { addFloat64Slow(p, stride, delta) }

// AddPairAt adds {1, x} to a {count, sum} pair chosen by x among the
// bounds, under the slot's stop word on this platform. See
// metrics_linux.go for the contract.
func AddPairAt(p unsafe.Pointer, stride uintptr, bounds unsafe.Pointer, n uintptr, x float64) {
	addPairAtSlow(p, stride, bounds, n, x)
}

func rseqAddFloat64(p unsafe.Pointer, stride uintptr, delta float64) uint32 { return uint32(stNoRSEQ) }

func rseqAddPairAt(p unsafe.Pointer, stride uintptr, bounds unsafe.Pointer, n uintptr, x float64) uint32 {
	return uint32(stNoRSEQ)
}
