//go:build gc && !purego && !rseqdelay && !rseqabort

// The production build of the critical sections (sections_amd64.h): no
// delay, the add's commit is one instruction, no forced abort.

// DELAY(label) widens a critical section before its commit, for
// fault-injection tests; empty here (see rseq_delay_linux_amd64.s).
#define DELAY(label)

// ADD_COMMIT adds val to the word at addr: one instruction, the commit.
#define ADD_COMMIT(label, val, addr) ADDQ val, addr

// FORCE_ABORT jumps to the abort handler right after arming, in the
// rseqabort test build (see rseq_abort_linux_amd64.s); empty here.
#define FORCE_ABORT(label)

#include "sections_amd64.h"
