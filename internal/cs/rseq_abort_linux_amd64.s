//go:build !purego && rseqabort

#include "textflag.h"

// The rseqabort build: every attempt of every critical section goes to the
// abort handler, as when a debugger single-steps through sections, so every
// operation ends on the bounded-abort slow path (stop word, fence, Go twin).
// The stress tests must pass unchanged. Never for production.
#define DELAY(label)
#define ADD_COMMIT(label) ADDQ DX, (DI)(CX*1)
#define FORCE_ABORT(label) JMP label

#include "sections_amd64.h"
