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

// Each primitive's section body is a macro over fixed label names, used by
// two functions: the raw one (rseqXxx), which reports every outcome as a
// status for the slow paths and the tests, and the exported one (Xxx), which
// callers reach with one call: it returns OK, CmpFailed or Moved itself and
// tail-jumps, with its arguments untouched, to the Go function xxxOther for
// everything else (Atomic backend, no area yet, no rseq on this thread, a
// stopped slot, the abort bound). Labels are local to each TEXT block.
//
// The bodies expect: AX = area, R8 = descriptor, R9 = index offset,
// R10 = stop words, R11 = abort count (LOADCOMMON), and the arguments in
// the registers their comments name. Each needs the labels retry, abort,
// noseq, moved, stopped and failed (where it compares).

// ADD_BODY: DI = p, SI = stride, DX = delta. *(p + idx*stride) += delta.
#define ADD_BODY \
retry: \
	ENTER(noseq); \
	FORCE_ABORT(abort); \
	CMPL	CX, ·slotsU(SB); \
	JAE	noseq; \
	STOPCHECK(stopped); \
	IMULQ	SI, CX; \
	ADD_COMMIT(delay); \
	POST_MARKER

// CMPSTORE_BODY: SI = slot, DI = v, DX = expect, R12 = newv.
#define CMPSTORE_BODY \
retry: \
	ENTER(noseq); \
	FORCE_ABORT(abort); \
	CMPQ	CX, SI; \
	JNE	moved; \
	STOPCHECK(stopped); \
	CMPQ	DX, (DI); \
	JNE	failed; \
	DELAY(delay); \
	MOVQ	R12, (DI); \
	POST_MARKER

// CMPSTORESTORE_BODY: SI = slot, DI = v, DX = expect, R12 = v2, R13 = new2,
// R14 = newv.
#define CMPSTORESTORE_BODY \
retry: \
	ENTER(noseq); \
	FORCE_ABORT(abort); \
	CMPQ	CX, SI; \
	JNE	moved; \
	STOPCHECK(stopped); \
	CMPQ	DX, (DI); \
	JNE	failed; \
	MOVQ	R13, (R12); \
	DELAY(delay); \
	MOVQ	R14, (DI); \
	POST_MARKER

// CMPMEMCPYSTORE_BODY: SI = slot, DI = v, DX = expect; dst, src, n and newv
// are read from the frame. The copy moves 8 bytes at a time, then single
// bytes; an abort in the middle leaves a partial copy behind dst, which is
// harmless because only the commit store publishes it.
#define CMPMEMCPYSTORE_BODY \
retry: \
	ENTER(noseq); \
	FORCE_ABORT(abort); \
	CMPQ	CX, SI; \
	JNE	moved; \
	STOPCHECK(stopped); \
	CMPQ	DX, (DI); \
	JNE	failed; \
	MOVQ	dst+24(FP), R12; \
	MOVQ	src+32(FP), R13; \
	MOVQ	n+40(FP), R14; \
	XORL	CX, CX; \
loop8: \
	LEAQ	8(CX), BX; \
	CMPQ	BX, R14; \
	JA	tail; \
	MOVQ	(R13)(CX*1), BX; \
	MOVQ	BX, (R12)(CX*1); \
	ADDQ	$8, CX; \
	JMP	loop8; \
tail: \
	CMPQ	CX, R14; \
	JAE	commit; \
	MOVB	(R13)(CX*1), BX; \
	MOVB	BX, (R12)(CX*1); \
	INCQ	CX; \
	JMP	tail; \
commit: \
	DELAY(delay); \
	MOVQ	newv+48(FP), BX; \
	MOVQ	BX, (DI); \
	POST_MARKER

// LISTPOP_BODY: SI = slot, DI = head, DX = next, R12 = sentinel; leaves
// the popped node in R13.
#define LISTPOP_BODY \
retry: \
	ENTER(noseq); \
	FORCE_ABORT(abort); \
	CMPQ	CX, SI; \
	JNE	moved; \
	STOPCHECK(stopped); \
	MOVQ	(DI), R13; \
	CMPQ	R13, R12; \
	JEQ	failed; \
	MOVQ	(DX)(R13*8), R14; \
	DELAY(delay); \
	MOVQ	R14, (DI); \
	POST_MARKER

// RAW_EXITS writes the statuses of the raw functions' exits to ret.
#define RAW_EXITS(ret) \
	ABORT(retry, abort, ret); \
failed: \
	MOVL	$stCmpFailed, ret; \
	RET; \
noarea: \
	MOVL	$stNeedRegister, ret; \
	RET; \
noseq: \
	MOVL	$stNoRSEQ, ret; \
	RET; \
moved: \
	MOVL	$stMoved, ret; \
	RET; \
stopped: \
	MOVL	$stStopped, ret; \
	RET

// OTHER_EXITS: the exported functions' abort handler and exits. Every
// outcome but OK, CmpFailed and Moved goes to other.
#define OTHER_EXITS(ret, other) \
	SIGNATURE; \
abort: \
	LOCK; INCQ ·abortCount(SB); \
	INCL	R11; \
	CMPL	R11, $abortLimit; \
	JB	retry; \
noarea: \
noseq: \
stopped: \
	JMP	other; \
failed: \
	MOVL	$stCmpFailed, ret; \
	RET; \
moved: \
	MOVL	$stMoved, ret; \
	RET

// func rseqAdd(p unsafe.Pointer, stride uintptr, delta int64) uint32
TEXT ·rseqAdd(SB), NOSPLIT|NOFRAME, $0-28
	MOVQ	p+0(FP), DI
	MOVQ	stride+8(FP), SI
	MOVQ	delta+16(FP), DX
	AREA(noarea)
	MOVQ	·descAdd(SB), R8
	LOADCOMMON
	ADD_BODY
	MOVL	$stOK, ret+24(FP)
	RET
	ABORT(retry, abort, ret+24(FP))
noarea:
	MOVL	$stNeedRegister, ret+24(FP)
	RET
noseq:
	MOVL	$stNoRSEQ, ret+24(FP)
	RET
stopped:
	MOVL	$stStopped, ret+24(FP)
	RET

// func AddInt64(p unsafe.Pointer, stride uintptr, delta int64)
TEXT ·AddInt64(SB), NOSPLIT|NOFRAME, $0-24
	CMPB	·rseqOn(SB), $0
	JEQ	other
	MOVQ	p+0(FP), DI
	MOVQ	stride+8(FP), SI
	MOVQ	delta+16(FP), DX
	AREA(other)
	MOVQ	·descAddInt64(SB), R8
	LOADCOMMON
	ADD_BODY
	RET
	SIGNATURE
abort:
	LOCK; INCQ ·abortCount(SB)
	INCL	R11
	CMPL	R11, $abortLimit
	JB	retry
noseq:
stopped:
other:
	JMP	·addInt64Other(SB)

// func rseqCmpStore(slot uint32, v *uint64, expect, newv uint64) uint32
TEXT ·rseqCmpStore(SB), NOSPLIT|NOFRAME, $0-36
	MOVL	slot+0(FP), SI
	MOVQ	v+8(FP), DI
	MOVQ	expect+16(FP), DX
	MOVQ	newv+24(FP), R12
	AREA(noarea)
	MOVQ	·descCmpStore(SB), R8
	LOADCOMMON
	CMPSTORE_BODY
	MOVL	$stOK, ret+32(FP)
	RET
	RAW_EXITS(ret+32(FP))

// func CmpStore(slot int, v *uint64, expect, newv uint64) Status
TEXT ·CmpStore(SB), NOSPLIT|NOFRAME, $0-36
	CMPB	·rseqOn(SB), $0
	JEQ	other
	MOVQ	slot+0(FP), SI
	CMPQ	SI, ·nslots(SB)
	JAE	other // out of range: the Go side panics
	MOVQ	v+8(FP), DI
	MOVQ	expect+16(FP), DX
	MOVQ	newv+24(FP), R12
	AREA(other)
	MOVQ	·descCmpStoreX(SB), R8
	LOADCOMMON
	CMPSTORE_BODY
	MOVL	$stOK, ret+32(FP)
	RET
	OTHER_EXITS(ret+32(FP), other)
other:
	JMP	·cmpStoreOther(SB)

// func rseqCmpStoreStore(slot uint32, v *uint64, expect uint64, v2 *uint64, new2, newv uint64) uint32
TEXT ·rseqCmpStoreStore(SB), NOSPLIT|NOFRAME, $0-52
	MOVL	slot+0(FP), SI
	MOVQ	v+8(FP), DI
	MOVQ	expect+16(FP), DX
	MOVQ	v2+24(FP), R12
	MOVQ	new2+32(FP), R13
	MOVQ	newv+40(FP), R14
	AREA(noarea)
	MOVQ	·descCmpStoreStore(SB), R8
	LOADCOMMON
	CMPSTORESTORE_BODY
	MOVL	$stOK, ret+48(FP)
	RET
	RAW_EXITS(ret+48(FP))

// func CmpStoreStore(slot int, v *uint64, expect uint64, v2 *uint64, new2, newv uint64) Status
TEXT ·CmpStoreStore(SB), NOSPLIT|NOFRAME, $0-52
	CMPB	·rseqOn(SB), $0
	JEQ	other
	MOVQ	slot+0(FP), SI
	CMPQ	SI, ·nslots(SB)
	JAE	other // out of range: the Go side panics
	MOVQ	v+8(FP), DI
	MOVQ	expect+16(FP), DX
	MOVQ	v2+24(FP), R12
	MOVQ	new2+32(FP), R13
	MOVQ	newv+40(FP), R14
	AREA(other)
	MOVQ	·descCmpStoreStoreX(SB), R8
	LOADCOMMON
	CMPSTORESTORE_BODY
	MOVL	$stOK, ret+48(FP)
	RET
	OTHER_EXITS(ret+48(FP), other)
other:
	JMP	·cmpStoreStoreOther(SB)

// func rseqCmpMemcpyStore(slot uint32, v *uint64, expect uint64, dst, src unsafe.Pointer, n uintptr, newv uint64) uint32
TEXT ·rseqCmpMemcpyStore(SB), NOSPLIT|NOFRAME, $0-60
	MOVL	slot+0(FP), SI
	MOVQ	v+8(FP), DI
	MOVQ	expect+16(FP), DX
	AREA(noarea)
	MOVQ	·descCmpMemcpyStore(SB), R8
	LOADCOMMON
	CMPMEMCPYSTORE_BODY
	MOVL	$stOK, ret+56(FP)
	RET
	RAW_EXITS(ret+56(FP))

// func CmpMemcpyStore(slot int, v *uint64, expect uint64, dst, src unsafe.Pointer, n uintptr, newv uint64) Status
// n above MaxMemcpy goes to the Go side, which panics.
TEXT ·CmpMemcpyStore(SB), NOSPLIT|NOFRAME, $0-60
	CMPB	·rseqOn(SB), $0
	JEQ	other
	CMPQ	n+40(FP), $4096
	JA	other
	MOVQ	slot+0(FP), SI
	CMPQ	SI, ·nslots(SB)
	JAE	other // out of range: the Go side panics
	MOVQ	v+8(FP), DI
	MOVQ	expect+16(FP), DX
	AREA(other)
	MOVQ	·descCmpMemcpyStoreX(SB), R8
	LOADCOMMON
	CMPMEMCPYSTORE_BODY
	MOVL	$stOK, ret+56(FP)
	RET
	OTHER_EXITS(ret+56(FP), other)
other:
	JMP	·cmpMemcpyStoreOther(SB)

// func rseqListPop(slot uint32, head *uint64, next unsafe.Pointer, sentinel uint64) (node uint64, st uint32)
TEXT ·rseqListPop(SB), NOSPLIT|NOFRAME, $0-44
	MOVL	slot+0(FP), SI
	MOVQ	head+8(FP), DI
	MOVQ	next+16(FP), DX
	MOVQ	sentinel+24(FP), R12
	AREA(noarea)
	MOVQ	·descListPop(SB), R8
	LOADCOMMON
	LISTPOP_BODY
	MOVQ	R13, node+32(FP)
	MOVL	$stOK, st+40(FP)
	RET
	ABORT(retry, abort, st+40(FP))
failed:
	MOVQ	R13, node+32(FP)
	MOVL	$stCmpFailed, st+40(FP)
	RET
noarea:
	MOVL	$stNeedRegister, st+40(FP)
	RET
noseq:
	MOVL	$stNoRSEQ, st+40(FP)
	RET
moved:
	MOVL	$stMoved, st+40(FP)
	RET
stopped:
	MOVL	$stStopped, st+40(FP)
	RET

// func ListPop(slot int, head *uint64, next unsafe.Pointer, sentinel uint64) (uint64, Status)
TEXT ·ListPop(SB), NOSPLIT|NOFRAME, $0-44
	CMPB	·rseqOn(SB), $0
	JEQ	other
	MOVQ	slot+0(FP), SI
	CMPQ	SI, ·nslots(SB)
	JAE	other // out of range: the Go side panics
	MOVQ	head+8(FP), DI
	MOVQ	next+16(FP), DX
	MOVQ	sentinel+24(FP), R12
	AREA(other)
	MOVQ	·descListPopX(SB), R8
	LOADCOMMON
	LISTPOP_BODY
	MOVQ	R13, ret+32(FP)
	MOVL	$stOK, ret1+40(FP)
	RET
	SIGNATURE
abort:
	LOCK; INCQ ·abortCount(SB)
	INCL	R11
	CMPL	R11, $abortLimit
	JB	retry
noseq:
stopped:
other:
	JMP	·listPopOther(SB)
failed:
	MOVQ	R13, ret+32(FP)
	MOVL	$stCmpFailed, ret1+40(FP)
	RET
moved:
	MOVQ	$0, ret+32(FP)
	MOVL	$stMoved, ret1+40(FP)
	RET

// func CurrentSlot() int
TEXT ·CurrentSlot(SB), NOSPLIT|NOFRAME, $0-8
	CMPB	·rseqOn(SB), $0
	JEQ	other
	AREA(other)
	MOVL	4(AX), CX
	TESTL	CX, CX
	JS	other
	MOVQ	·idxOff(SB), R9
	MOVL	(AX)(R9*1), CX
	CMPL	CX, ·slotsU(SB)
	JAE	other
	MOVQ	CX, ret+0(FP)
	RET
other:
	JMP	·currentSlotOther(SB)

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
DATA ·csText+48(SB)/8, $·CmpStore(SB)
DATA ·csText+56(SB)/8, $·CmpStoreStore(SB)
DATA ·csText+64(SB)/8, $·CmpMemcpyStore(SB)
DATA ·csText+72(SB)/8, $·ListPop(SB)
GLOBL ·csText(SB), NOPTR|RODATA, $80
