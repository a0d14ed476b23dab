//go:build !purego && rseqdelay && !rseqabort

#include "textflag.h"

// The rseqdelay build: every critical section spins for a while between its
// first load and its commit (the kernel selftests' delay injection), so that
// preemption, migration and signals land inside sections thousands of times
// more often. Sections stay correct, only slower, and the stress tests must
// still pass; with a disarmed section they must fail. Never for production.
#define DELAY(label) \
	MOVL	$400, BX; \
label: \
	PAUSE; \
	DECL	BX; \
	JNZ	label

// ADD_COMMIT loads, waits, adds and stores: under rseq as correct as the
// single add of the production build, and without it a wide-open race.
#define ADD_COMMIT(label) \
	MOVQ	(DI)(CX*1), BX; \
	MOVL	$400, R13; \
label: \
	PAUSE; \
	DECL	R13; \
	JNZ	label; \
	ADDQ	DX, BX; \
	MOVQ	BX, (DI)(CX*1)

#define FORCE_ABORT(label)

#include "sections_amd64.h"
