//go:build gc && !purego && rseqdelay && !rseqabort

// The rseqdelay build: every critical section spins for a while between its
// first load and its commit (the kernel selftests' delay injection), so that
// preemption, migration and signals land inside sections thousands of times
// more often. Sections stay correct, only slower, and the stress tests must
// still pass; with a disarmed section they must fail. Never for production.
#define DELAY(label) \
	MOVL	$400, rTmp; \
label: \
	PAUSE; \
	DECL	rTmp; \
	JNZ	label

// ADD_COMMIT loads, waits, adds and stores: under rseq as correct as the
// single add of the production build, and without it a wide-open race. R13
// counts the spin: no argument of the add section lives there.
#define ADD_COMMIT(label, val, addr) \
	MOVQ	addr, rTmp; \
	MOVL	$400, R13; \
label: \
	PAUSE; \
	DECL	R13; \
	JNZ	label; \
	ADDQ	val, rTmp; \
	MOVQ	rTmp, addr

#define FORCE_ABORT(label)

#include "sections_amd64.h"
