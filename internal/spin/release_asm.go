//go:build amd64 && !purego

package spin

// storeRelease stores v at p with release ordering: every load and store
// of the caller before the call is ordered before the store. On amd64 a
// plain MOV (x86-TSO orders stores after earlier loads and stores).
//
//go:noescape
func storeRelease(p *uint32, v uint32)
