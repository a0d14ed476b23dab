//go:build !amd64 || purego

package spin

func storeRelease(p *uint32, v uint32) { storeReleaseGeneric(p, v) }
