//go:build gc && !purego

// The routines without critical sections: registration, probes, the slot
// read outside a section and the empty call. They use none of the variant
// hooks of sections_amd64.h, so this file is assembled once, in every build.

#include "asm_amd64.h"

// func CurrentSlot() int
TEXT ·CurrentSlot(SB), NOSPLIT|NOFRAME, $0-8
	CMPQ	·hot+hotState_nslots(SB), $0 // 0: the Atomic backend
	JEQ	slow
	AREA(slow)
	MOVLQSX	·hot+hotState_idxOff(SB), rIdxOff
	READ_INDEX(slow)
	CMPL	rIdx, ·hot+hotState_slots(SB)
	JAE	slow
	MOVQ	rIdx, ret+0(FP)
	RET
slow:
	JMP	·currentSlotSlow(SB)

// func rseqCurrent() (idx uint32, st uint32)
// Reads this thread's slot index outside any section (a hint: the thread
// may move right after).
TEXT ·rseqCurrent(SB), NOSPLIT|NOFRAME, $0-8
	AREA(noarea)
	MOVLQSX	·hot+hotState_idxOff(SB), rIdxOff
	READ_INDEX(noseq)
	MOVL	rIdx, idx+0(FP)
	MOVL	$const_OK, st+4(FP)
	RET
noarea:
	MOVL	$const_stNeedRegister, st+4(FP)
	RET
noseq:
	MOVL	$const_stNoRSEQ, st+4(FP)
	RET

// func rseqRegister(area, dead unsafe.Pointer) (errno uintptr)
// Pure-Go mode only. Registers area for this thread and stores it at FS:0,
// in one call so that both happen on the same thread. Returns 0 on success,
// ^0 if the thread already had an area, or the errno of a failed
// registration, in which case dead (an area that is never registered, so
// every section on it reports stNoRSEQ) is stored at FS:0 instead and the
// thread is not tried again. The thread id is written at area+areaTID.
TEXT ·rseqRegister(SB), NOSPLIT|NOFRAME, $0-24
	FS0_TO_AX
	TESTQ	AX, AX
	JNZ	already
	MOVQ	area+0(FP), DI
	MOVL	$const_rseqLen, SI
	XORL	DX, DX
	MOVL	$const_Signature, R10
	MOVL	$const_sysRseq, AX
	SYSCALL
	CMPQ	AX, $0xfffffffffffff001 // -4095: errno
	JAE	failed
	MOVL	$const_sysGettid, AX
	SYSCALL
	MOVQ	area+0(FP), DI
	MOVL	AX, const_areaTID(DI)
	DI_TO_FS0
	MOVQ	$0, errno+16(FP)
	RET
failed:
	NEGQ	AX
	MOVQ	AX, errno+16(FP)
	MOVQ	dead+8(FP), DI
	DI_TO_FS0
	RET
already:
	MOVQ	$-1, errno+16(FP)
	RET

// func tlsProbe() (fs0, fsbase uintptr, errno uintptr)
// Reads FS:0 and the FS base (arch_prctl ARCH_GET_FS) on the same thread.
// In a cgo binary FS:0 is libc's TCB self-pointer, equal to the FS base;
// in a pure-Go binary it is the runtime's unused m.tls[1] (zero, or our area).
TEXT ·tlsProbe(SB), NOSPLIT, $8-24
	FS0_TO_AX
	MOVQ	AX, fs0+0(FP)
	MOVQ	$0, base-8(SP)
	MOVL	$const_archGetFS, DI
	LEAQ	base-8(SP), SI
	MOVL	$const_sysArchPrctl, AX
	SYSCALL
	CMPQ	AX, $0xfffffffffffff001
	JAE	failed
	MOVQ	base-8(SP), AX
	MOVQ	AX, fsbase+8(FP)
	MOVQ	$0, errno+16(FP)
	RET
failed:
	NEGQ	AX
	MOVQ	AX, errno+16(FP)
	MOVQ	$0, fsbase+8(FP)
	RET

// func libcProbe(off int64) (errno uintptr)
// cgo mode: tries to register TP+off, which must fail with EBUSY when libc
// has registered that very area for this thread.
TEXT ·libcProbe(SB), NOSPLIT|NOFRAME, $0-16
	FS0_TO_AX
	MOVQ	AX, DI
	ADDQ	off+0(FP), DI
	MOVL	$const_rseqLen, SI
	XORL	DX, DX
	MOVL	$const_Signature, R10
	MOVL	$const_sysRseq, AX
	SYSCALL
	NEGQ	AX
	MOVQ	AX, errno+8(FP)
	RET

// func emptyAsm()
// The floor of every asm call, for benchmarks.
TEXT ·emptyAsm(SB), NOSPLIT|NOFRAME, $0-0
	RET

// func plainAddAsm(p *int64, delta int64)
// *p += delta with no section: with emptyAsm, the floor of AddInt64 (an
// asm call and an add to memory that waits for the previous one), for
// benchmarks. Its Go twin is plainAddGeneric.
TEXT ·plainAddAsm(SB), NOSPLIT|NOFRAME, $0-16
	MOVQ	p+0(FP), DI
	MOVQ	delta+8(FP), DX
	ADDQ	DX, (DI)
	RET
