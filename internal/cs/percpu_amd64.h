// ---- PerCPU sections: list.PerCPU's Pop (one call) and Push (claim,
// publish) ---------------------------------------------------------------
//
// Included by sections_amd64.h, after objpool_amd64.h (GO_CALL). They
// have a table of their own (perCPUText, below; descriptors in
// perCPUDescs, indexed by the csec... constants of percpu_linux_amd64.go),
// read through CPROLOGUE; the layout comes as one pointer to a
// cs.PerCPULayout (offsets PerCPULayout_FIELD from go_asm.h). Their generic
// versions are in percpu.go. Each finds its slot itself (IN_RANGE).
//
//	percpu_pop(l, dst) -> st                  // list A -> list B, value to dst
//		top = l.Base + cpu*l.Stride
//		x = *(u64 *)top
//		if x == ^0: return CmpFailed
//		((u64 *)(top + l.LinksB))[x] = *(u64 *)(top + 8)   // try-store
//		copy l.Copy bytes from l.Values + x*l.Size to dst  // try-stores
//		(*(u64 *)top, *(u64 *)(top + 8)) = (((u64 *)(top + l.LinksA))[x], x)  // commit: one 16-byte store
//		return OK
//
//	percpu_claim(l) -> (p, x, st)             // list B's pop, the value's address
//		top = l.Base + cpu*l.Stride
//		x = *(u64 *)(top + 8)
//		if x == ^0: return nil, 0, CmpFailed
//		p = l.Values + x*l.Size               // to the frame
//		*(u64 *)(top + 8) = ((u64 *)(top + l.LinksB))[x]   // commit
//		return p, x, OK
//
//	percpu_publish(l, x) -> st                // list A's push of an owned node
//		top = l.Base + cpu*l.Stride
//		((u64 *)(top + l.LinksA))[x] = *(u64 *)top   // try-store
//		*(u64 *)top = x                      // commit
//		return OK
//
// The try-stores are harmless after an abort as in here_amd64.h: a link
// of list B for a node on list A, a link of a node the caller owns, a copy
// into the caller's dst. The exported PerCPUPop calls the layout's PopSlow
// from its exit (GO_CALL) for everything but the fast path; PerCPUClaim
// returns nil and lets its caller finish; PerCPUPublish tail-jumps to
// perCPUPublishSlow.

// CPROLOGUE is PROLOGUE for the PerCPU table.
#define CPROLOGUE(sec, noarea) \
	AREA(noarea); \
	MOVQ	·perCPUDescs+((sec)*8)(SB), rDesc; \
	MOVLQSX	·hot+hotState_idxOff(SB), rIdxOff; \
	MOVQ	·hot+hotState_stopBase(SB), rStops; \
	XORL	rAborts, rAborts

// Registers: rCL the layout, rCD pop's dst, rCX publish's node, all loaded
// before the prologue and never written in the section; rIdx (CX) becomes
// the slot's copy (rTop).
#define rCL R13
#define rCD R14
#define rCX R12

// PERCPUPOP(sec, noarea): the commit value is built in X0 before the copy,
// so that the copy can use every scratch register (as LISTMOVECOPY); a
// copy of one word (a pointer: the usual T) skips the loop.
#define PERCPUPOP(sec, noarea) \
	MOVQ	l+0(FP), rCL; \
	MOVQ	dst+8(FP), rCD; \
	CPROLOGUE(sec, noarea); \
	ARM(noseq); \
	IN_RANGE(noseq, stopped); \
	IMULQ	PerCPULayout_Stride(rCL), rIdx; \
	ADDQ	PerCPULayout_Base(rCL), rIdx; \
	MOVQ	(rTop), R12; \
	CMPQ	R12, $-1; \
	JEQ	failed; \
	MOVQ	PerCPULayout_LinksB(rCL), SI; \
	ADDQ	rTop, SI; \
	MOVQ	8(rTop), DX; \
	MOVQ	DX, (SI)(R12*8); \
	MOVQ	PerCPULayout_LinksA(rCL), SI; \
	ADDQ	rTop, SI; \
	MOVQ	(SI)(R12*8), SI; \
	MOVQ	SI, X0; \
	PINSRQ	$1, R12, X0; \
	IMULQ	PerCPULayout_Size(rCL), R12; \
	ADDQ	PerCPULayout_Values(rCL), R12; \
	MOVQ	PerCPULayout_Copy(rCL), DX; \
	CMPQ	DX, $8; \
	JNE	words; \
	MOVQ	(R12), rTmp; \
	MOVQ	rTmp, (rCD); \
	JMP	commit; \
words: \
	MOVQ	rCD, DI; \
	COPY_COMMIT16

// PERCPUCLAIM(sec, noarea, p, x): p and x are the frame slots of the
// results, written before the commit.
#define PERCPUCLAIM(sec, noarea, p, x) \
	MOVQ	l+0(FP), rCL; \
	CPROLOGUE(sec, noarea); \
	ARM(noseq); \
	IN_RANGE(noseq, stopped); \
	IMULQ	PerCPULayout_Stride(rCL), rIdx; \
	ADDQ	PerCPULayout_Base(rCL), rIdx; \
	MOVQ	8(rTop), DX; \
	CMPQ	DX, $-1; \
	JEQ	failed; \
	MOVQ	PerCPULayout_LinksB(rCL), SI; \
	ADDQ	rTop, SI; \
	MOVQ	(SI)(DX*8), SI; \
	MOVQ	DX, x; \
	IMULQ	PerCPULayout_Size(rCL), DX; \
	ADDQ	PerCPULayout_Values(rCL), DX; \
	MOVQ	DX, p; \
	COMMIT(SI, 8(rTop))

#define PERCPUPUBLISH(sec, noarea) \
	MOVQ	l+0(FP), rCL; \
	MOVQ	x+8(FP), rCX; \
	CPROLOGUE(sec, noarea); \
	ARM(noseq); \
	IN_RANGE(noseq, stopped); \
	IMULQ	PerCPULayout_Stride(rCL), rIdx; \
	ADDQ	PerCPULayout_Base(rCL), rIdx; \
	MOVQ	(rTop), SI; \
	MOVQ	PerCPULayout_LinksA(rCL), DX; \
	ADDQ	rTop, DX; \
	MOVQ	SI, (DX)(rCX*8); \
	COMMIT(rCX, (rTop))

// func rseqPerCPUPop(l *PerCPULayout, dst unsafe.Pointer) uint32
TEXT ·rseqPerCPUPop(SB), NOSPLIT|NOFRAME, $0-20
	MOVL	$const_OK, ret+16(FP)
	PERCPUPOP(const_csecRseqPerCPUPop, noarea)
	RAW_CMP_EXITS(ret+16(FP))

// func PerCPUPop(l *PerCPULayout, dst unsafe.Pointer) bool
TEXT ·PerCPUPop(SB), NOSPLIT|NOFRAME, $0-17
	NO_LOCAL_POINTERS
	ON_SWITCH
	MOVQ	l+0(FP), rCL
	CMPQ	PerCPULayout_Copy(rCL), $const_MaxMemcpy
	JA	slow
	MOVB	$1, ret+16(FP)
	PERCPUPOP(const_csecPerCPUPop, slow)
	ABORT_HANDLER
slow:
noseq:
stopped:
failed:
	// return l.PopSlow(l, dst)
	MOVQ	l+0(FP), AX
	MOVQ	dst+8(FP), BX
	MOVQ	PerCPULayout_PopSlow(AX), DX
	MOVQ	(DX), CX
	GO_CALL
	MOVB	AX, ret+16(FP)
	RET

// func rseqPerCPUClaim(l *PerCPULayout) (p unsafe.Pointer, x uint64, st uint32)
TEXT ·rseqPerCPUClaim(SB), NOSPLIT|NOFRAME, $0-28
	MOVQ	$0, p+8(FP)
	MOVL	$const_OK, st+24(FP)
	PERCPUCLAIM(const_csecRseqPerCPUClaim, noarea, p+8(FP), x+16(FP))
	RAW_EXITS(st+24(FP))
failed:
	MOVQ	$0, p+8(FP)
	MOVQ	$0, x+16(FP)
	EXIT(const_CmpFailed, st+24(FP))

// func PerCPUClaim(l *PerCPULayout) (p unsafe.Pointer, x uint64)
TEXT ·PerCPUClaim(SB), NOSPLIT|NOFRAME, $0-24
	ON_SWITCH
	PERCPUCLAIM(const_csecPerCPUClaim, slow, p+8(FP), x+16(FP))
	ABORT_HANDLER
slow:
noseq:
stopped:
failed:
	MOVQ	$0, p+8(FP)
	MOVQ	$0, x+16(FP)
	RET

// func rseqPerCPUPublish(l *PerCPULayout, x uint64) uint32
TEXT ·rseqPerCPUPublish(SB), NOSPLIT|NOFRAME, $0-20
	MOVL	$const_OK, ret+16(FP)
	PERCPUPUBLISH(const_csecRseqPerCPUPublish, noarea)
	RAW_EXITS(ret+16(FP))

// func PerCPUPublish(l *PerCPULayout, x uint64)
TEXT ·PerCPUPublish(SB), NOSPLIT|NOFRAME, $0-16
	ON_SWITCH
	PERCPUPUBLISH(const_csecPerCPUPublish, slow)
	SLOW_EXITS(·perCPUPublishSlow(SB))

DATA ·perCPUText+(const_csecRseqPerCPUPop*8)(SB)/8, $·rseqPerCPUPop(SB)
DATA ·perCPUText+(const_csecRseqPerCPUClaim*8)(SB)/8, $·rseqPerCPUClaim(SB)
DATA ·perCPUText+(const_csecRseqPerCPUPublish*8)(SB)/8, $·rseqPerCPUPublish(SB)
DATA ·perCPUText+(const_csecPerCPUPop*8)(SB)/8, $·PerCPUPop(SB)
DATA ·perCPUText+(const_csecPerCPUClaim*8)(SB)/8, $·PerCPUClaim(SB)
DATA ·perCPUText+(const_csecPerCPUPublish*8)(SB)/8, $·PerCPUPublish(SB)
GLOBL ·perCPUText(SB), NOPTR|RODATA, $(const_nPerCPUSections*8)

// ==== end of the PerCPU sections
