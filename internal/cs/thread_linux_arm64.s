//go:build gc && !purego

// The routines without critical sections: the slot read outside a section,
// the thread pointer and libc probes, and the empty call. They use none of
// the variant hooks of sections_arm64.h, so this file is assembled once, in
// every build. CurrentSlot and rseqCurrent follow thread_linux_amd64.s line
// for line on purpose (the macros have the same names on both), so that a
// reader of one knows the other.

#include "asm_arm64.h"

// func CurrentSlot() int
TEXT ·CurrentSlot(SB), NOSPLIT|NOFRAME, $0-8
	HOT
	MOVD	hotState_nslots(rHot), rTmp
	CBZ	rTmp, slow
	AREA(slow)
	IDXOFF
	READ_INDEX(slow)
	MOVWU	hotState_slots(rHot), rTmp
	CMPW	rTmp, rIdx
	BHS	slow
	MOVD	rIdx, ret+0(FP)
	RET
slow:
	JMP	·currentSlotSlow(SB)

// func rseqCurrent() (idx uint32, st uint32)
// Reads this thread's slot index outside any section (a hint: the thread
// may move right after).
TEXT ·rseqCurrent(SB), NOSPLIT|NOFRAME, $0-8
	HOT
	AREA(noarea)
	IDXOFF
	READ_INDEX(noseq)
	MOVW	rIdx, idx+0(FP)
	MOVW	$const_OK, rTmp
	MOVW	rTmp, st+4(FP)
	RET
noarea:
	MOVW	$const_stNeedRegister, rTmp
	MOVW	rTmp, st+4(FP)
	RET
noseq:
	MOVW	$const_stNoRSEQ, rTmp
	MOVW	rTmp, st+4(FP)
	RET

// func tpProbe() uintptr
// Returns this thread's TPIDR_EL0: libc's thread pointer in a cgo binary;
// zero in a static pure-Go binary, whose runtime never sets it; in a
// pure-Go PIE, whatever the dynamic loader set for the first thread, which
// every later thread inherits.
TEXT ·tpProbe(SB), NOSPLIT|NOFRAME, $0-8
	MRS	TPIDR_EL0, R0
	MOVD	R0, ret+0(FP)
	RET

// func libcProbe(off int64) (errno uintptr)
// cgo mode: tries to register TP+off, which fails with EBUSY when libc has
// registered that very area for this thread. Should the registration
// succeed instead (the area was not this thread's), it is undone at once
// and the probe returns 0.
TEXT ·libcProbe(SB), NOSPLIT|NOFRAME, $0-16
	MRS	TPIDR_EL0, R0
	MOVD	off+0(FP), R1
	ADD	R1, R0, R0
	MOVD	R0, R9 // the area, for the undo
	MOVW	$const_rseqLen, R1
	MOVW	$0, R2
	MOVW	$const_Signature, R3
	MOVD	$const_sysRseq, R8
	SVC
	CBNZ	R0, done
	MOVD	R9, R0
	MOVW	$const_rseqLen, R1
	MOVW	$const_rseqFlagUnregister, R2
	MOVW	$const_Signature, R3
	MOVD	$const_sysRseq, R8
	SVC
	MOVD	$0, R0
done:
	NEG	R0, R0
	MOVD	R0, errno+8(FP)
	RET

// func emptyAsm()
// The floor of every asm call, for benchmarks.
TEXT ·emptyAsm(SB), NOSPLIT|NOFRAME, $0-0
	RET

// func plainAddAsm(p *int64, delta int64)
// *p += delta with no section, for benchmarks (see thread_linux_amd64.s).
TEXT ·plainAddAsm(SB), NOSPLIT|NOFRAME, $0-16
	MOVD	p+0(FP), R0
	MOVD	delta+8(FP), R1
	MOVD	(R0), R2
	ADD	R1, R2, R2
	MOVD	R2, (R0)
	RET
