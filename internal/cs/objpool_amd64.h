// ---- pool sections: list.Pool's Get and Put, one call each ----------
//
// Included by sections_amd64.h, after its macros and here_amd64.h. They
// have a table of their own (poolText, below; descriptors in poolDescs,
// indexed by the osec... constants of objpool_linux.go), read
// through OPROLOGUE; the layout comes as one pointer to a cs.PoolLayout
// (offsets PoolLayout_FIELD from go_asm.h). Their generic versions are in
// objpool.go. A Get or Put is one call: the section finds the slot, and
// everything but the fast path leaves by a tail jump, with the arguments
// untouched, to a call of the layout's GetSlow or PutSlow (GO_CALL).
//
//	pool_get(l) -> (x, st)
//		top = l.Stacks + cpu*l.Stride
//		c = *(u64 *)top
//		if c == 0: return nil, CmpFailed
//		x = l.Objs + ((u32 *)(top + 8))[c-1] * l.Size   // to the frame
//		*(u64 *)top = c - 1                  // commit
//		return x, OK
//
//	pool_put(l, x) -> st
//		i = rotate_right((x - l.Objs) * l.Inv, l.Shift)  // before the section
//		if i >= l.N: return NotObject
//		top = l.Stacks + cpu*l.Stride
//		c = *(u64 *)top
//		if c >= l.Max: return CmpFailed
//		((u32 *)(top + 8))[c] = i            // try-store, above the count
//		*(u64 *)top = c + 1                  // commit
//		return OK

#include "funcdata.h"

// OPROLOGUE is PROLOGUE for the pool table.
#define OPROLOGUE(sec, noarea) \
	AREA(noarea); \
	MOVQ	·poolDescs+((sec)*8)(SB), rDesc; \
	MOVLQSX	·hot+hotState_idxOff(SB), rIdxOff; \
	MOVQ	·hot+hotState_stopBase(SB), rStops; \
	XORL	rAborts, rAborts

// Registers: rPL the layout and rPI put's index, both loaded before the
// prologue and never written in the section; rIdx (CX) becomes the
// stack (rTop), DX its count, R12 get's index, then its object.
#define rPL R13
#define rPI R14
#define rPO R12

// POOLGET(sec, noarea, out): out is the frame slot of the object, written
// before the commit.
#define POOLGET(sec, noarea, out) \
	MOVQ	l+0(FP), rPL; \
	OPROLOGUE(sec, noarea); \
	ARM(noseq); \
	IN_RANGE(noseq, stopped); \
	IMULQ	PoolLayout_Stride(rPL), rIdx; \
	ADDQ	PoolLayout_Stacks(rPL), rTop; \
	MOVQ	(rTop), rCount; \
	TESTQ	rCount, rCount; \
	JZ	failed; \
	MOVL	4(rTop)(rCount*4), rPO; \
	IMULQ	PoolLayout_Size(rPL), rPO; \
	ADDQ	PoolLayout_Objs(rPL), rPO; \
	MOVQ	rPO, out; \
	DECQ	rCount; \
	COMMIT(rCount, (rTop))

// POOLPUT(sec, noarea): the index, by exact division (CX, free before the
// prologue, holds the rotate count), to bad when x is no object's address;
// then the section.
#define POOLPUT(sec, noarea) \
	MOVQ	l+0(FP), rPL; \
	MOVQ	x+8(FP), rPI; \
	SUBQ	PoolLayout_Objs(rPL), rPI; \
	IMULQ	PoolLayout_Inv(rPL), rPI; \
	MOVQ	PoolLayout_Shift(rPL), CX; \
	RORQ	CX, rPI; \
	CMPQ	rPI, PoolLayout_N(rPL); \
	JAE	bad; \
	OPROLOGUE(sec, noarea); \
	ARM(noseq); \
	IN_RANGE(noseq, stopped); \
	IMULQ	PoolLayout_Stride(rPL), rIdx; \
	ADDQ	PoolLayout_Stacks(rPL), rTop; \
	MOVQ	(rTop), rCount; \
	CMPQ	rCount, PoolLayout_Max(rPL); \
	JAE	failed; \
	MOVL	rPI, 8(rTop)(rCount*4); \
	INCQ	rCount; \
	COMMIT(rCount, (rTop))

// GO_CALL(fn) calls the func value in DX (code pointer in CX) with Go's
// register convention (its arguments already in AX, BX), as the go
// command's ABI0 wrapper of a Go function would, but from the exit of
// PoolGet or PoolPut itself, whose frame is the caller's arguments: a
// jump to a wrapper, a Go function and then the func value cost the
// Atomic backend, whose every Get and Put comes here, about an eighth of
// its time. It pushes BP as a frame would (the assembler counts the push
// in the function's stack offsets, so tracebacks and FP offsets stay
// right), reserves the callee's spill area for its two register
// arguments (Go's convention: the caller's), which no stack map needs to
// describe (NO_LOCAL_POINTERS: l and x stay in the argument frame), and
// sets R14 (g) and X15 (zero), which Go code expects. The callee checks
// the stack for itself. Results go to the frame after it.
#define GO_CALL \
	PUSHQ	BP; \
	MOVQ	SP, BP; \
	ADJSP	$16; \
	MOVQ	TLS, R14; \
	MOVQ	0(R14)(TLS*1), R14; \
	XORPS	X15, X15; \
	CALL	CX; \
	ADJSP	$-16; \
	POPQ	BP

// func rseqPoolGet(l *PoolLayout) (x unsafe.Pointer, st uint32)
TEXT ·rseqPoolGet(SB), NOSPLIT|NOFRAME, $0-20
	MOVL	$const_OK, st+16(FP)
	POOLGET(const_osecRseqPoolGet, noarea, x+8(FP))
	RAW_EXITS(st+16(FP))
failed:
	MOVQ	$0, x+8(FP)
	EXIT(const_CmpFailed, st+16(FP))

// func PoolGet(l *PoolLayout) unsafe.Pointer
TEXT ·PoolGet(SB), NOSPLIT|NOFRAME, $0-16
	NO_LOCAL_POINTERS
	ON_SWITCH
	POOLGET(const_osecPoolGet, slow, ret+8(FP))
	ABORT_HANDLER
slow:
noseq:
stopped:
failed:
	// x = l.GetSlow(l); the result slot is zeroed first, so that a
	// stack scan during the call never sees a stale pointer there.
	MOVQ	$0, ret+8(FP)
	MOVQ	l+0(FP), AX
	MOVQ	PoolLayout_GetSlow(AX), DX
	MOVQ	(DX), CX
	GO_CALL
	MOVQ	AX, ret+8(FP)
	RET

// func rseqPoolPut(l *PoolLayout, x unsafe.Pointer) uint32
TEXT ·rseqPoolPut(SB), NOSPLIT|NOFRAME, $0-20
	MOVL	$const_OK, ret+16(FP)
	POOLPUT(const_osecRseqPoolPut, noarea)
	RAW_CMP_EXITS(ret+16(FP))
bad:
	EXIT(const_stNotObject, ret+16(FP))

// func PoolPut(l *PoolLayout, x unsafe.Pointer)
TEXT ·PoolPut(SB), NOSPLIT|NOFRAME, $0-16
	NO_LOCAL_POINTERS
	ON_SWITCH
	POOLPUT(const_osecPoolPut, slow)
	ABORT_HANDLER
slow:
noseq:
stopped:
failed:
bad:
	// l.PutSlow(l, x)
	MOVQ	l+0(FP), AX
	MOVQ	x+8(FP), BX
	MOVQ	PoolLayout_PutSlow(AX), DX
	MOVQ	(DX), CX
	GO_CALL
	RET

DATA ·poolText+(const_osecRseqPoolGet*8)(SB)/8, $·rseqPoolGet(SB)
DATA ·poolText+(const_osecRseqPoolPut*8)(SB)/8, $·rseqPoolPut(SB)
DATA ·poolText+(const_osecPoolGet*8)(SB)/8, $·PoolGet(SB)
DATA ·poolText+(const_osecPoolPut*8)(SB)/8, $·PoolPut(SB)
GLOBL ·poolText(SB), NOPTR|RODATA, $(const_nPoolSections*8)

// ==== end of the pool sections
