//go:build !purego && !rseqdelay

#include "textflag.h"

// DELAY(label) widens a critical section for fault-injection tests; it is
// empty in this, the production build (see rseq_delay_linux_amd64.s).
#define DELAY(label)

// ADD_COMMIT adds DX to the word at DI+CX: one instruction, the commit.
#define ADD_COMMIT(label) ADDQ DX, (DI)(CX*1)

#include "sections_amd64.h"
