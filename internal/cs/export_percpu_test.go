package cs

import "unsafe"

// Export guts for testing: list.PerCPU's entry points.

// PerCPUSections reports whether the PerCPU entry points are sections of
// their own here (the raw functions exist).
const PerCPUSections = perCPUSections

var (
	PerCPUPopGeneric     = perCPUPopGeneric
	PerCPUClaimGeneric   = perCPUClaimGeneric
	PerCPUPublishGeneric = perCPUPublishGeneric
)

func RawPerCPUPop(l *PerCPULayout, dst unsafe.Pointer) Status {
	return Status(rseqPerCPUPop(l, dst))
}

func RawPerCPUClaim(l *PerCPULayout) (unsafe.Pointer, uint64, Status) {
	p, x, st := rseqPerCPUClaim(l)
	return p, x, Status(st)
}

func RawPerCPUPublish(l *PerCPULayout, x uint64) Status { return Status(rseqPerCPUPublish(l, x)) }
