// Definitions shared by every asm file of this package on amd64. Each .s
// file includes this header once, directly or through sections_amd64.h.
//
// The facts the Go side also knows come from go_asm.h, which the go command
// writes from the package's Go files: const_NAME for each package-level
// constant (statuses, MaxMemcpy, Signature, the area offsets, abortLimit, the
// section indices), and hotState_FIELD for the offsets in ·hot, the one
// line of globals the sections read. Write a number here only if no Go code
// needs it.

#ifndef CS_ASM_AMD64_H
#define CS_ASM_AMD64_H

#include "textflag.h"
#include "go_asm.h"

// Go asm has no FS:0 operand; these are the encodings.
// mov rax, qword ptr fs:[0]
#define FS0_TO_AX BYTE $0x64; BYTE $0x48; BYTE $0x8b; BYTE $0x04; BYTE $0x25; LONG $0
// mov qword ptr fs:[0], rdi
#define DI_TO_FS0 BYTE $0x64; BYTE $0x48; BYTE $0x89; BYTE $0x3c; BYTE $0x25; LONG $0

// Registers with one meaning in every routine that reads the area.
#define rArea   AX  // this thread's struct rseq (AREA); FS0_TO_AX fixes it to AX
#define rIdx    CX  // the slot index (READ_INDEX); scratch once checked
#define rIdxOff R9  // the offset of the slot index in the area: hot.idxOff

// AREA loads this thread's rseq area into rArea, or jumps to noarea when the
// thread has none yet (pure-Go mode, FS:0 still zero).
#define AREA(noarea) \
	FS0_TO_AX; \
	TESTQ	rArea, rArea; \
	JZ	noarea; \
	ADDQ	·hot+hotState_areaOffset(SB), rArea

// READ_INDEX loads the slot index (mm_cid or cpu_id, at rIdxOff in the
// area) into rIdx, or jumps to noseq when the kernel has not registered the
// area for this thread (cpu_id is then negative).
#define READ_INDEX(noseq) \
	MOVL	const_areaCPUID(rArea), rIdx; \
	TESTL	rIdx, rIdx; \
	JS	noseq; \
	MOVL	(rArea)(rIdxOff*1), rIdx

#endif
