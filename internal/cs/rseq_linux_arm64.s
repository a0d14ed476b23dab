//go:build gc && !purego && !rseqdelay && !rseqabort

// The production build of the critical sections (sections_arm64.h): no
// delay, the add's commit is its one store, no forced abort.

// DELAY(label) widens a critical section before its commit, for
// fault-injection tests; empty here (see rseq_delay_linux_arm64.s).
#define DELAY(label)

// ADD_COMMIT adds val to the word at (addr): load, add, and the store that
// commits.
#define ADD_COMMIT(label, val, addr) \
	MOVD	(addr), rTmp; \
	ADD	val, rTmp, rTmp; \
	MOVD	rTmp, (addr)

// FORCE_ABORT jumps to the abort handler right after arming, in the
// rseqabort test build (see rseq_abort_linux_arm64.s); empty here.
#define FORCE_ABORT(label)

#include "sections_arm64.h"
