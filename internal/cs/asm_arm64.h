// Definitions shared by every asm file of this package on arm64. Each .s
// file includes this header once, directly or through sections_arm64.h.
//
// The facts the Go side also knows come from go_asm.h (const_NAME for each
// package-level constant: statuses, MaxMemcpy, Signature, the markers, the
// area offsets, abortLimit, the section indices).
//
// Registers: R18 (the platform register), R26 (closure context), R27 (the
// assembler's temporary: global loads use it), R28 (g), R29 (frame pointer)
// and R30 (link register) are never written here.

#ifndef CS_ASM_ARM64_H
#define CS_ASM_ARM64_H

#include "textflag.h"
#include "go_asm.h"

// Registers with one meaning in every routine that reads the area.
#define rArea   R0  // this thread's struct rseq (AREA)
#define rIdx    R1  // the slot index (READ_INDEX); scratch once checked
#define rIdxOff R2  // the offset of the slot index in the area: hot.idxOff
#define rTmp    R3  // scratch
#define rHot    R20 // &·hot (HOT): the one line of globals a call reads

// HOT takes the address of ·hot (hotState in rseq_linux.go: slot count,
// index offset, area offset, stop words and nslots, in 32 bytes), so that
// a call reads one line of globals, at small offsets from one register,
// instead of an ADRP and a load per variable.
#define HOT \
	MOVD	$·hot(SB), rHot

// AREA loads this thread's rseq area into rArea: the thread pointer
// (TPIDR_EL0) plus hot.areaOffset, glibc's __rseq_offset, which is negative
// on arm64 (the area sits in struct pthread, below the TCB the thread
// pointer points at). The RSEQ backend runs on arm64 only in cgo binaries,
// where every thread is a pthread and its TPIDR_EL0 is its own (set by
// clone's CLONE_SETTLS); a zero thread pointer jumps to noarea. rHot must
// hold &·hot (HOT).
#define AREA(noarea) \
	MRS	TPIDR_EL0, rArea; \
	CBZ	rArea, noarea; \
	MOVD	hotState_areaOffset(rHot), rTmp; \
	ADD	rTmp, rArea, rArea

// IDXOFF loads hot.idxOff (an int32, sign-extended) into rIdxOff.
#define IDXOFF \
	MOVW	hotState_idxOff(rHot), rIdxOff

// READ_INDEX loads the slot index (mm_cid or cpu_id, at rIdxOff in the
// area) into rIdx, or jumps to noseq when the kernel has not registered the
// area for this thread (cpu_id is then negative: bit 31 set). Both loads are
// plain: the kernel writes these fields for this very thread, on its way
// back to user space, so program order is all the ordering needed.
#define READ_INDEX(noseq) \
	MOVWU	const_areaCPUID(rArea), rIdx; \
	TBNZ	$31, rIdx, noseq; \
	MOVWU	(rArea)(rIdxOff), rIdx

#endif
