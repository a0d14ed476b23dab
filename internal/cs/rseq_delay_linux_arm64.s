//go:build gc && !purego && rseqdelay && !rseqabort

// The rseqdelay build, as rseq_delay_linux_amd64.s describes it: every
// critical section spins between its first load and its commit. Never for
// production.
#define DELAY(label) \
	MOVD	$400, rSpin; \
label: \
	YIELD; \
	SUB	$1, rSpin, rSpin; \
	CBNZ	rSpin, label

// ADD_COMMIT loads, waits, adds and stores: under rseq as correct as the
// production build, and without it a wide-open race.
#define ADD_COMMIT(label, val, addr) \
	MOVD	(addr), rTmp; \
	DELAY(label); \
	ADD	val, rTmp, rTmp; \
	MOVD	rTmp, (addr)

#define FORCE_ABORT(label)

#include "sections_arm64.h"
