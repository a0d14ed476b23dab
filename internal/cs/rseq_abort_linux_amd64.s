//go:build gc && !purego && rseqabort

// The rseqabort build: every attempt of every critical section goes to the
// abort handler, as when a debugger single-steps through sections, so every
// operation ends on the bounded-abort slow path (stop word, fence, generic
// Go version). The stress tests must pass unchanged. Never for production.
#define DELAY(label)
#define ADD_COMMIT(label, val, addr) ADDQ val, addr
#define FORCE_ABORT(label) JMP label

#include "sections_amd64.h"
