// Critical sections for linux/amd64, included by rseq_linux_amd64.s (the
// production build) and rseq_delay_linux_amd64.s (delays inside every
// section, for tests). Each includer defines DELAY(label) and
// ADD_COMMIT(label) and FORCE_ABORT(label) first.

// Restartable sequences for linux/amd64.
//
// Every critical section has the same shape:
//
//	retry:	area->rseq_cs = &descriptor      // arm
//	start:	(marker)
//		if area->cpu_id < 0 -> stNoRSEQ       // thread not registered
//		idx = *(area + idxOff)                // mm_cid or cpu_id
//		bounds / slot check, stop word check  // divert before any store
//		... loads, try-stores ...
//		ONE commit store
//	post:	(marker) return stOK
//		ud1 with the signature
//	abort:	count; retry or return stAborted
//
// The descriptors are not assembled here: Go code finds the three addresses
// of each section at init by scanning the function's bytes for the markers
// and the signature (see textscan.go), checks them, and writes descriptors
// into off-heap memory. Each function below has exactly one START marker,
// one POST marker and one signature, in that order.
//
// Registers: none of these functions calls anything, so the goroutine
// cannot change threads inside them, and the area found through FS stays
// this thread's. BP and R15 are left alone (frame pointer; R15 is clobbered
// by global accesses when dynamic linking).

// mov rax, qword ptr fs:[0]
#define FS0_TO_AX BYTE $0x64; BYTE $0x48; BYTE $0x8b; BYTE $0x04; BYTE $0x25; LONG $0
// mov qword ptr fs:[0], rdi
#define DI_TO_FS0 BYTE $0x64; BYTE $0x48; BYTE $0x89; BYTE $0x3c; BYTE $0x25; LONG $0

// nopl 0x5e9a0001(%rax,%rax,1) / nopl 0x5e9a0002(%rax,%rax,1): 8-byte NOPs
// whose displacement marks the start and the post-commit address.
#define START_MARKER BYTE $0x0f; BYTE $0x1f; BYTE $0x84; BYTE $0x00; LONG $0x5e9a0001
#define POST_MARKER  BYTE $0x0f; BYTE $0x1f; BYTE $0x84; BYTE $0x00; LONG $0x5e9a0002

// ud1 0x53053053(%rip), %edi: the 4 bytes before every abort handler must be
// the signature the area was registered with (glibc's, on x86).
#define SIGNATURE BYTE $0x0f; BYTE $0xb9; BYTE $0x3d; LONG $0x53053053

#define stOK 0
#define stCmpFailed 1
#define stMoved 2
#define stStopped 3
#define stNoRSEQ 4
#define stAborted 5
#define stNeedRegister 6

#define abortLimit 16

// AREA loads this thread's rseq area into AX, or jumps to noarea when the
// thread has none yet (pure-Go mode, FS:0 still zero).
#define AREA(noarea) \
	FS0_TO_AX; \
	TESTQ	AX, AX; \
	JZ	noarea; \
	ADDQ	·areaOffset(SB), AX

// ENTER: arms the section (R8 = descriptor), checks registration and loads
// the slot index into CX. R9 holds the index offset in the area.
#define ENTER(noseq) \
	MOVQ	R8, 8(AX); \
	START_MARKER; \
	MOVL	4(AX), CX; \
	TESTL	CX, CX; \
	JS	noseq; \
	MOVL	(AX)(R9*1), CX

// STOPCHECK diverts when the slot in CX is stopped by the slow path.
// R10 = base of the stop words (one cache line each).
#define STOPCHECK(stopped) \
	MOVQ	CX, BX; \
	SHLQ	$6, BX; \
	CMPL	(R10)(BX*1), $0; \
	JNE	stopped

#define LOADCOMMON \
	MOVQ	·idxOff(SB), R9; \
	MOVQ	·stopBase(SB), R10; \
	XORL	R11, R11

#define ABORT(retry, abort, ret) \
	SIGNATURE; \
abort: \
	LOCK; INCQ ·abortCount(SB); \
	INCL	R11; \
	CMPL	R11, $abortLimit; \
	JB	retry; \
	MOVL	$stAborted, ret; \
	RET

// func rseqAdd(p unsafe.Pointer, stride uintptr, delta int64) uint32
// On the current slot s: *(p + s*stride) += delta.
TEXT ·rseqAdd(SB), NOSPLIT|NOFRAME, $0-28
	MOVQ	p+0(FP), DI
	MOVQ	stride+8(FP), SI
	MOVQ	delta+16(FP), DX
	AREA(addNoArea)
	MOVQ	·descAdd(SB), R8
	LOADCOMMON
addRetry:
	ENTER(addNoSeq)
	FORCE_ABORT(addAbort)
	CMPL	CX, ·slotsU(SB)
	JAE	addNoSeq
	STOPCHECK(addStopped)
	IMULQ	SI, CX
	ADD_COMMIT(addDelay)
	POST_MARKER
	MOVL	$stOK, ret+24(FP)
	RET
	ABORT(addRetry, addAbort, ret+24(FP))
addNoArea:
	MOVL	$stNeedRegister, ret+24(FP)
	RET
addNoSeq:
	MOVL	$stNoRSEQ, ret+24(FP)
	RET
addStopped:
	MOVL	$stStopped, ret+24(FP)
	RET

// func AddInt64(p unsafe.Pointer, stride uintptr, delta int64)
// The exported per-CPU add: the same section as rseqAdd, entered straight
// from the caller (one call, not a Go wrapper around an asm call). Anything
// but a commit (Atomic backend, no area yet, no rseq on this thread, a
// stopped slot, the abort bound) tail-jumps to addInt64Other, which takes
// the same arguments and sorts it out.
TEXT ·AddInt64(SB), NOSPLIT|NOFRAME, $0-24
	CMPB	·rseqOn(SB), $0
	JEQ	aiOther
	MOVQ	p+0(FP), DI
	MOVQ	stride+8(FP), SI
	MOVQ	delta+16(FP), DX
	AREA(aiOther)
	MOVQ	·descAddInt64(SB), R8
	LOADCOMMON
aiRetry:
	ENTER(aiOther)
	FORCE_ABORT(aiAbort)
	CMPL	CX, ·slotsU(SB)
	JAE	aiOther
	STOPCHECK(aiOther)
	IMULQ	SI, CX
	ADD_COMMIT(aiDelay)
	POST_MARKER
	RET
	SIGNATURE
aiAbort:
	LOCK; INCQ ·abortCount(SB)
	INCL	R11
	CMPL	R11, $abortLimit
	JB	aiRetry
aiOther:
	JMP	·addInt64Other(SB)

// func rseqCmpStore(slot uint32, v *uint64, expect, newv uint64) uint32
// On slot: if *v == expect { *v = newv }.
TEXT ·rseqCmpStore(SB), NOSPLIT|NOFRAME, $0-36
	MOVL	slot+0(FP), SI
	MOVQ	v+8(FP), DI
	MOVQ	expect+16(FP), DX
	MOVQ	newv+24(FP), R12
	AREA(csNoArea)
	MOVQ	·descCmpStore(SB), R8
	LOADCOMMON
csRetry:
	ENTER(csNoSeq)
	FORCE_ABORT(csAbort)
	CMPL	CX, SI
	JNE	csMoved
	STOPCHECK(csStopped)
	CMPQ	DX, (DI)
	JNE	csFailed
	DELAY(csDelay)
	MOVQ	R12, (DI)
	POST_MARKER
	MOVL	$stOK, ret+32(FP)
	RET
	ABORT(csRetry, csAbort, ret+32(FP))
csFailed:
	MOVL	$stCmpFailed, ret+32(FP)
	RET
csNoArea:
	MOVL	$stNeedRegister, ret+32(FP)
	RET
csNoSeq:
	MOVL	$stNoRSEQ, ret+32(FP)
	RET
csMoved:
	MOVL	$stMoved, ret+32(FP)
	RET
csStopped:
	MOVL	$stStopped, ret+32(FP)
	RET

// func rseqCmpStoreStore(slot uint32, v *uint64, expect uint64, v2 *uint64, new2, newv uint64) uint32
// On slot: if *v == expect { *v2 = new2; *v = newv }.
TEXT ·rseqCmpStoreStore(SB), NOSPLIT|NOFRAME, $0-52
	MOVL	slot+0(FP), SI
	MOVQ	v+8(FP), DI
	MOVQ	expect+16(FP), DX
	MOVQ	v2+24(FP), R12
	MOVQ	new2+32(FP), R13
	MOVQ	newv+40(FP), R14
	AREA(cssNoArea)
	MOVQ	·descCmpStoreStore(SB), R8
	LOADCOMMON
cssRetry:
	ENTER(cssNoSeq)
	FORCE_ABORT(cssAbort)
	CMPL	CX, SI
	JNE	cssMoved
	STOPCHECK(cssStopped)
	CMPQ	DX, (DI)
	JNE	cssFailed
	MOVQ	R13, (R12)
	DELAY(cssDelay)
	MOVQ	R14, (DI)
	POST_MARKER
	MOVL	$stOK, ret+48(FP)
	RET
	ABORT(cssRetry, cssAbort, ret+48(FP))
cssFailed:
	MOVL	$stCmpFailed, ret+48(FP)
	RET
cssNoArea:
	MOVL	$stNeedRegister, ret+48(FP)
	RET
cssNoSeq:
	MOVL	$stNoRSEQ, ret+48(FP)
	RET
cssMoved:
	MOVL	$stMoved, ret+48(FP)
	RET
cssStopped:
	MOVL	$stStopped, ret+48(FP)
	RET

// func rseqCmpMemcpyStore(slot uint32, v *uint64, expect uint64, dst, src unsafe.Pointer, n uintptr, newv uint64) uint32
// On slot: if *v == expect { copy n bytes from src to dst; *v = newv }.
// The copy moves 8 bytes at a time, then single bytes; an abort in the
// middle leaves a partial copy behind dst, which is harmless because only
// the commit store publishes it.
TEXT ·rseqCmpMemcpyStore(SB), NOSPLIT|NOFRAME, $0-60
	MOVL	slot+0(FP), SI
	MOVQ	v+8(FP), DI
	MOVQ	expect+16(FP), DX
	AREA(cmNoArea)
	MOVQ	·descCmpMemcpyStore(SB), R8
	LOADCOMMON
cmRetry:
	ENTER(cmNoSeq)
	FORCE_ABORT(cmAbort)
	CMPL	CX, SI
	JNE	cmMoved
	STOPCHECK(cmStopped)
	CMPQ	DX, (DI)
	JNE	cmFailed
	MOVQ	dst+24(FP), R12
	MOVQ	src+32(FP), R13
	MOVQ	n+40(FP), R14
	XORL	CX, CX
cmLoop8:
	LEAQ	8(CX), BX
	CMPQ	BX, R14
	JA	cmTail
	MOVQ	(R13)(CX*1), BX
	MOVQ	BX, (R12)(CX*1)
	ADDQ	$8, CX
	JMP	cmLoop8
cmTail:
	CMPQ	CX, R14
	JAE	cmCommit
	MOVB	(R13)(CX*1), BX
	MOVB	BX, (R12)(CX*1)
	INCQ	CX
	JMP	cmTail
cmCommit:
	DELAY(cmDelay)
	MOVQ	newv+48(FP), BX
	MOVQ	BX, (DI)
	POST_MARKER
	MOVL	$stOK, ret+56(FP)
	RET
	ABORT(cmRetry, cmAbort, ret+56(FP))
cmFailed:
	MOVL	$stCmpFailed, ret+56(FP)
	RET
cmNoArea:
	MOVL	$stNeedRegister, ret+56(FP)
	RET
cmNoSeq:
	MOVL	$stNoRSEQ, ret+56(FP)
	RET
cmMoved:
	MOVL	$stMoved, ret+56(FP)
	RET
cmStopped:
	MOVL	$stStopped, ret+56(FP)
	RET

// func rseqListPop(slot uint32, head *uint64, next unsafe.Pointer, sentinel uint64) (node uint64, st uint32)
// On slot: node = *head; if node == sentinel { fail }; *head = next[node].
TEXT ·rseqListPop(SB), NOSPLIT|NOFRAME, $0-44
	MOVL	slot+0(FP), SI
	MOVQ	head+8(FP), DI
	MOVQ	next+16(FP), DX
	MOVQ	sentinel+24(FP), R12
	AREA(lpNoArea)
	MOVQ	·descListPop(SB), R8
	LOADCOMMON
lpRetry:
	ENTER(lpNoSeq)
	FORCE_ABORT(lpAbort)
	CMPL	CX, SI
	JNE	lpMoved
	STOPCHECK(lpStopped)
	MOVQ	(DI), R13
	CMPQ	R13, R12
	JEQ	lpFailed
	MOVQ	(DX)(R13*8), R14
	DELAY(lpDelay)
	MOVQ	R14, (DI)
	POST_MARKER
	MOVQ	R13, node+32(FP)
	MOVL	$stOK, st+40(FP)
	RET
	ABORT(lpRetry, lpAbort, st+40(FP))
lpFailed:
	MOVQ	R13, node+32(FP)
	MOVL	$stCmpFailed, st+40(FP)
	RET
lpNoArea:
	MOVL	$stNeedRegister, st+40(FP)
	RET
lpNoSeq:
	MOVL	$stNoRSEQ, st+40(FP)
	RET
lpMoved:
	MOVL	$stMoved, st+40(FP)
	RET
lpStopped:
	MOVL	$stStopped, st+40(FP)
	RET

// func rseqCurrent() (idx uint32, st uint32)
// Reads this thread's slot index outside any section (a hint: the thread
// may move right after).
TEXT ·rseqCurrent(SB), NOSPLIT|NOFRAME, $0-8
	AREA(curNoArea)
	MOVL	4(AX), CX
	TESTL	CX, CX
	JS	curNoSeq
	MOVQ	·idxOff(SB), R9
	MOVL	(AX)(R9*1), CX
	MOVL	CX, idx+0(FP)
	MOVL	$stOK, st+4(FP)
	RET
curNoArea:
	MOVL	$stNeedRegister, st+4(FP)
	RET
curNoSeq:
	MOVL	$stNoRSEQ, st+4(FP)
	RET

// func rseqRegister(area, dead unsafe.Pointer) (errno uintptr)
// Pure-Go mode only. Registers area for this thread and stores it at FS:0,
// in one call so that both happen on the same thread. Returns 0 on success,
// ^0 if the thread already had an area, or the errno of a failed
// registration, in which case dead (an area that is never registered, so
// every section on it reports stNoRSEQ) is stored at FS:0 instead and the
// thread is not tried again. The thread id is written at area+32.
TEXT ·rseqRegister(SB), NOSPLIT|NOFRAME, $0-24
	FS0_TO_AX
	TESTQ	AX, AX
	JNZ	regAlready
	MOVQ	area+0(FP), DI
	MOVL	$32, SI
	XORL	DX, DX
	MOVL	$0x53053053, R10
	MOVL	$334, AX // SYS_rseq
	SYSCALL
	CMPQ	AX, $0xfffffffffffff001
	JAE	regFailed
	MOVL	$186, AX // SYS_gettid
	SYSCALL
	MOVQ	area+0(FP), DI
	MOVL	AX, 32(DI)
	DI_TO_FS0
	MOVQ	$0, errno+16(FP)
	RET
regFailed:
	NEGQ	AX
	MOVQ	AX, errno+16(FP)
	MOVQ	dead+8(FP), DI
	DI_TO_FS0
	RET
regAlready:
	MOVQ	$-1, errno+16(FP)
	RET

// func rseqUnregister(area unsafe.Pointer) (errno uintptr)
// Pure-Go mode, tests only: unregisters area if it is this thread's and
// clears FS:0.
TEXT ·rseqUnregister(SB), NOSPLIT|NOFRAME, $0-16
	FS0_TO_AX
	MOVQ	area+0(FP), DI
	CMPQ	AX, DI
	JNE	unregNot
	MOVL	$32, SI
	MOVL	$1, DX // RSEQ_FLAG_UNREGISTER
	MOVL	$0x53053053, R10
	MOVL	$334, AX
	SYSCALL
	CMPQ	AX, $0xfffffffffffff001
	JAE	unregFailed
	XORL	DI, DI
	DI_TO_FS0
	MOVQ	$0, errno+8(FP)
	RET
unregFailed:
	NEGQ	AX
	MOVQ	AX, errno+8(FP)
	RET
unregNot:
	MOVQ	$-1, errno+8(FP)
	RET

// func tlsProbe() (fs0, fsbase uintptr, errno uintptr)
// Reads FS:0 and the FS base (arch_prctl ARCH_GET_FS) on the same thread.
// In a cgo binary FS:0 is libc's TCB self-pointer, equal to the FS base;
// in a pure-Go binary it is the runtime's unused m.tls[1] (zero, or our area).
TEXT ·tlsProbe(SB), NOSPLIT, $8-24
	FS0_TO_AX
	MOVQ	AX, fs0+0(FP)
	MOVQ	$0, base-8(SP)
	MOVL	$0x1003, DI // ARCH_GET_FS
	LEAQ	base-8(SP), SI
	MOVL	$158, AX // SYS_arch_prctl
	SYSCALL
	CMPQ	AX, $0xfffffffffffff001
	JAE	probeFailed
	MOVQ	base-8(SP), AX
	MOVQ	AX, fsbase+8(FP)
	MOVQ	$0, errno+16(FP)
	RET
probeFailed:
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
	MOVL	$32, SI
	XORL	DX, DX
	MOVL	$0x53053053, R10
	MOVL	$334, AX
	SYSCALL
	NEGQ	AX
	MOVQ	AX, errno+8(FP)
	RET

// func emptyAsm()
// The floor of every asm call, for benchmarks.
TEXT ·emptyAsm(SB), NOSPLIT|NOFRAME, $0-0
	RET

// The functions whose sections get descriptors, in the order of csFunc*.
DATA ·csText+0(SB)/8, $·rseqAdd(SB)
DATA ·csText+8(SB)/8, $·rseqCmpStore(SB)
DATA ·csText+16(SB)/8, $·rseqCmpStoreStore(SB)
DATA ·csText+24(SB)/8, $·rseqCmpMemcpyStore(SB)
DATA ·csText+32(SB)/8, $·rseqListPop(SB)
DATA ·csText+40(SB)/8, $·AddInt64(SB)
GLOBL ·csText(SB), NOPTR|RODATA, $48
