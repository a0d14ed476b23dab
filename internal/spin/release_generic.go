package spin

import "sync/atomic"

// storeReleaseGeneric is storeRelease made with sync/atomic's Store, which is
// at least a release on every architecture (a locked XCHG on amd64).
func storeReleaseGeneric(p *uint32, v uint32) { atomic.StoreUint32(p, v) }
