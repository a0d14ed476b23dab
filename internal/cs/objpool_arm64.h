// ---- pool sections on arm64: list.Pool's Get and Put, one call each ---
//
// Included by sections_arm64.h, after here_arm64.h. The semantics
// (librseq-style pseudocode) are in objpool_amd64.h; the table is the same
// (poolText below, poolDescs, the osec... indices of objpool_linux.go). What
// differs: Get's result (the object's address) is computed and written
// after the commit, and everything but the fast path tail-jumps, with the
// arguments untouched and the link register as it came, to poolGetSlow or
// poolPutSlow (objpool_linux_arm64.go), which call the layout's hooks.
//
// Ordering (see sections_arm64.h and here_arm64.h): Get commits with a
// plain store (the object goes to the calling goroutine), Put with a
// store-release, so that the stack entry it wrote, and the caller's writes
// to the object before Put, are visible before the new count to a reader
// that loads the count with acquire.

#define OPROLOGUE(sec, noarea) TABLE_PROLOGUE(·poolDescs, sec, noarea)

// Registers: rPL the layout and rPI Put's index, loaded before the prologue
// and never written in the section; rTop (rIdx) the stack, rCnt its count,
// rPO Get's index, then its object; R12 scratch after the commit.
#define rPL  R8
#define rCnt R9
#define rPO  R10
#define rPI  R11

#define POOLGET(sec, noarea) \
	MOVD	l+0(FP), rPL; \
	OPROLOGUE(sec, noarea); \
	ARM(noseq); \
	IN_RANGE(noseq, stopped); \
	MOVD	PoolLayout_Stride(rPL), rTmp; \
	MUL	rTmp, rIdx, rIdx; \
	MOVD	PoolLayout_Stacks(rPL), rTmp; \
	ADD	rTmp, rIdx, rIdx; \
	MOVD	(rIdx), rCnt; \
	CBZ	rCnt, failed; \
	SUB	$1, rCnt, rCnt; \
	ADD	rCnt<<2, rIdx, rTmp; \
	MOVWU	8(rTmp), rPO; \
	COMMIT(rCnt, rIdx)

// POOL_OBJ turns Get's index (rPO) into its object's address.
#define POOL_OBJ \
	MOVD	PoolLayout_Size(rPL), rTmp; \
	MUL	rTmp, rPO, rPO; \
	MOVD	PoolLayout_Objs(rPL), rTmp; \
	ADD	rTmp, rPO, rPO

// POOLPUT: the index by exact division, to bad when x is no object's
// address; then the section.
#define POOLPUT(sec, noarea) \
	MOVD	l+0(FP), rPL; \
	MOVD	x+8(FP), rPI; \
	MOVD	PoolLayout_Objs(rPL), rTmp; \
	SUB	rTmp, rPI, rPI; \
	MOVD	PoolLayout_Inv(rPL), rTmp; \
	MUL	rTmp, rPI, rPI; \
	MOVD	PoolLayout_Shift(rPL), rTmp; \
	ROR	rTmp, rPI, rPI; \
	MOVD	PoolLayout_N(rPL), rTmp; \
	CMP	rTmp, rPI; \
	BHS	bad; \
	OPROLOGUE(sec, noarea); \
	ARM(noseq); \
	IN_RANGE(noseq, stopped); \
	MOVD	PoolLayout_Stride(rPL), rTmp; \
	MUL	rTmp, rIdx, rIdx; \
	MOVD	PoolLayout_Stacks(rPL), rTmp; \
	ADD	rTmp, rIdx, rIdx; \
	MOVD	(rIdx), rCnt; \
	MOVD	PoolLayout_Max(rPL), rTmp; \
	CMP	rTmp, rCnt; \
	BHS	failed; \
	ADD	rCnt<<2, rIdx, rTmp; \
	MOVW	rPI, 8(rTmp); \
	ADD	$1, rCnt, rCnt; \
	COMMIT_RELEASE(rCnt, rIdx)

// func rseqPoolGet(l *PoolLayout) (x unsafe.Pointer, st uint32)
TEXT ·rseqPoolGet(SB), NOSPLIT|NOFRAME, $0-20
	POOLGET(const_osecRseqPoolGet, noarea)
	POOL_OBJ
	MOVD	rPO, x+8(FP)
	EXIT(const_OK, st+16(FP))
	RAW_EXITS(st+16(FP))
failed:
	MOVD	ZR, x+8(FP)
	EXIT(const_CmpFailed, st+16(FP))

// func PoolGet(l *PoolLayout) unsafe.Pointer
TEXT ·PoolGet(SB), NOSPLIT|NOFRAME, $0-16
	IF_ATOMIC(slow)
	POOLGET(const_osecPoolGet, slow)
	POOL_OBJ
	MOVD	rPO, ret+8(FP)
	RET
	SLOW_EXITS(·poolGetSlow(SB))
failed:
	JMP	·poolGetSlow(SB)

// func rseqPoolPut(l *PoolLayout, x unsafe.Pointer) uint32
TEXT ·rseqPoolPut(SB), NOSPLIT|NOFRAME, $0-20
	POOLPUT(const_osecRseqPoolPut, noarea)
	EXIT(const_OK, ret+16(FP))
	RAW_CMP_EXITS(ret+16(FP))
bad:
	EXIT(const_stNotObject, ret+16(FP))

// func PoolPut(l *PoolLayout, x unsafe.Pointer)
TEXT ·PoolPut(SB), NOSPLIT|NOFRAME, $0-16
	IF_ATOMIC(slow)
	POOLPUT(const_osecPoolPut, slow)
	RET
	SLOW_EXITS(·poolPutSlow(SB))
failed:
bad:
	JMP	·poolPutSlow(SB)

DATA ·poolText+(const_osecRseqPoolGet*8)(SB)/8, $·rseqPoolGet(SB)
DATA ·poolText+(const_osecRseqPoolPut*8)(SB)/8, $·rseqPoolPut(SB)
DATA ·poolText+(const_osecPoolGet*8)(SB)/8, $·PoolGet(SB)
DATA ·poolText+(const_osecPoolPut*8)(SB)/8, $·PoolPut(SB)
GLOBL ·poolText(SB), NOPTR|RODATA, $(const_nPoolSections*8)

// ==== end of the pool sections
