//go:build !purego

#include "textflag.h"

// func storeRelease(p *uint32, v uint32)
// A plain store is a release on x86-TSO; the call keeps the compiler from
// moving the caller's accesses past it.
TEXT ·storeRelease(SB), NOSPLIT, $0-12
	MOVQ p+0(FP), AX
	MOVL v+8(FP), BX
	MOVL BX, (AX)
	RET
