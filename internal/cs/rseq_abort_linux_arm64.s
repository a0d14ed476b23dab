//go:build gc && !purego && rseqabort

// The rseqabort build: every attempt of every critical section goes to the
// abort handler, as when a debugger single-steps through sections, so every
// operation ends on the bounded-abort slow path (stop word, fence, generic
// Go version). The stress tests must pass unchanged. Never for production.
#define DELAY(label)
#define ADD_COMMIT(label, val, addr) \
	MOVD	(addr), rTmp; \
	ADD	val, rTmp, rTmp; \
	MOVD	rTmp, (addr)
#define FORCE_ABORT(label) JMP label

#include "sections_arm64.h"
