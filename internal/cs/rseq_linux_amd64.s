//go:build !purego && !rseqdelay && !rseqabort

#include "textflag.h"

// DELAY(label) widens a critical section for fault-injection tests; it is
// empty in this, the production build (see rseq_delay_linux_amd64.s).
#define DELAY(label)

// ADD_COMMIT adds DX to the word at DI+CX: one instruction, the commit.
#define ADD_COMMIT(label) ADDQ DX, (DI)(CX*1)

// FORCE_ABORT jumps to the abort handler right after entering, in the
// rseqabort test build (a debugger single-stepping through sections aborts
// every one of them); empty here.
#define FORCE_ABORT(label)

#include "sections_amd64.h"
