// ---- metrics sections: package counter's Float and Histogram ----------
//
// Included by sections_amd64.h, after its macros. These sections have a
// table of their own (metricsText, below; descriptors in metricsDescs,
// indexed by the msec... constants of metrics_linux.go), read through MPROLOGUE; their generic versions
// and slow paths are in metrics.go. The pseudocode beside each body is the
// contract the ports to other architectures keep.

// MPROLOGUE is PROLOGUE for the metrics table.
#define MPROLOGUE(sec, noarea) \
	AREA(noarea); \
	MOVQ	·metricsDescs+((sec)*8)(SB), rDesc; \
	MOVLQSX	·hot+hotState_idxOff(SB), rIdxOff; \
	MOVQ	·hot+hotState_stopBase(SB), rStops; \
	XORL	rAborts, rAborts

// The arguments, in the registers the bodies read.
#define rFDelta X1  // AddFloat64's delta
#define rX      X0  // AddPairAt's x
#define rBounds R12 // AddPairAt's bounds (read before the section only)
#define rN      R13 // AddPairAt's n (idem)

// FADD(sec, noarea): AddFloat64 on the current slot. rP = p, rStride =
// stride, rFDelta = delta.
//
//	retry:	arm; idx = slot index          // noseq if not registered
//		if idx >= nslots -> noseq; if stopped(idx) -> stopped
//		w := p + idx*stride
//		x := *(*float64)(w)              // MOVSD load
//		x += delta                       // ADDSD, in X0
//		*(*float64)(w) = x               // commit: one 8-byte store
#define FADD(sec, noarea) \
	MOVQ	p+0(FP), rP; \
	MOVQ	stride+8(FP), rStride; \
	MOVSD	delta+16(FP), rFDelta; \
	MPROLOGUE(sec, noarea); \
	ARM(noseq); \
	IN_RANGE(noseq, stopped); \
	IMULQ	rStride, rIdx; \
	MOVSD	(rP)(rIdx*1), X0; \
	ADDSD	rFDelta, X0; \
	DELAY(delay); \
	MOVSD	X0, (rP)(rIdx*1); \
	RET

// PAIR_SEARCH: AddPairAt's bucket search, before PROLOGUE (outside the
// section: a retry keeps its result). rBounds = bounds, rN = n (even),
// rX = x; it adds 16 * (the number of the n bounds below x) to rP. Two
// bounds per CMPLTPD (a NaN is below nothing), the all-ones lanes
// subtracted from two accumulators, which are summed at the end:
//
//	below := 0
//	for j := 0; j < n; j++ { if bounds[j] < x { below++ } }
//	p += below*16
//
// Clobbers X1-X5, rTmp, rBounds, rN; labels s4, s2, sdone.
#define PAIR_SEARCH \
	MOVAPD	rX, X5; \
	UNPCKLPD X5, X5; \
	PXOR	X2, X2; \
	PXOR	X4, X4; \
	CMPQ	rN, $4; \
	JB	s2; \
s4: \
	MOVUPD	(rBounds), X1; \
	MOVUPD	16(rBounds), X3; \
	CMPPD	X5, X1, $1; \
	CMPPD	X5, X3, $1; \
	PSUBQ	X1, X2; \
	PSUBQ	X3, X4; \
	ADDQ	$32, rBounds; \
	SUBQ	$4, rN; \
	CMPQ	rN, $4; \
	JAE	s4; \
s2: \
	TESTQ	rN, rN; \
	JZ	sdone; \
	MOVUPD	(rBounds), X1; \
	CMPPD	X5, X1, $1; \
	PSUBQ	X1, X2; \
sdone: \
	PADDQ	X4, X2; \
	PSHUFD	$0xee, X2, X3; \
	PADDQ	X3, X2; \
	MOVQ	X2, rTmp; \
	SHLQ	$4, rTmp; \
	ADDQ	rTmp, rP

// PAIR(sec, noarea): AddPairAt's section on the current slot. rP = the
// pair in slot 0 (after PAIR_SEARCH), rStride = stride, rX = x.
//
//	retry:	arm; idx = slot index          // noseq if not registered
//		if idx >= nslots -> noseq; if stopped(idx) -> stopped
//		w := p + idx*stride
//		n := *(*uint64)(w) + 1           // count, in rTmp
//		s := *(*float64)(w+8) + x        // sum, ADDSD in X1
//		X2 = {n, s}                      // MOVQ + UNPCKLPD
//		*(*[16]byte)(w) = X2             // commit: one 16-byte store (MOVUPS)
//
// The count and the sum are published by the one commit instruction: the
// kernel restarts sections at instruction boundaries, and remote readers
// read only with the slot stopped and fenced, so no reader sees one
// without the other.
#define PAIR(sec, noarea) \
	MOVQ	p+0(FP), rP; \
	MOVQ	stride+8(FP), rStride; \
	MOVQ	bounds+16(FP), rBounds; \
	MOVQ	n+24(FP), rN; \
	MOVSD	x+32(FP), rX; \
	PAIR_SEARCH; \
	MPROLOGUE(sec, noarea); \
	ARM(noseq); \
	IN_RANGE(noseq, stopped); \
	IMULQ	rStride, rIdx; \
	MOVQ	(rP)(rIdx*1), rTmp; \
	INCQ	rTmp; \
	MOVSD	8(rP)(rIdx*1), X1; \
	ADDSD	rX, X1; \
	MOVQ	rTmp, X2; \
	UNPCKLPD X1, X2; \
	DELAY(delay); \
	MOVUPS	X2, (rP)(rIdx*1); \
	RET

// The functions: a raw one and an exported one around each section macro,
// of the same shape on purpose (see sections_amd64.h).

// func rseqAddFloat64(p unsafe.Pointer, stride uintptr, delta float64) uint32
TEXT ·rseqAddFloat64(SB), NOSPLIT|NOFRAME, $0-28
	MOVL	$const_OK, ret+24(FP)
	FADD(const_msecRseqAddFloat64, noarea)
	RAW_EXITS(ret+24(FP))

// func AddFloat64(p unsafe.Pointer, stride uintptr, delta float64)
TEXT ·AddFloat64(SB), NOSPLIT|NOFRAME, $0-24
	ON_SWITCH
	FADD(const_msecAddFloat64, slow)
	SLOW_EXITS(·addFloat64Slow(SB))

// func rseqAddPairAt(p unsafe.Pointer, stride uintptr, bounds unsafe.Pointer, n uintptr, x float64) uint32
TEXT ·rseqAddPairAt(SB), NOSPLIT|NOFRAME, $0-44
	MOVL	$const_OK, ret+40(FP)
	PAIR(const_msecRseqAddPairAt, noarea)
	RAW_EXITS(ret+40(FP))

// func AddPairAt(p unsafe.Pointer, stride uintptr, bounds unsafe.Pointer, n uintptr, x float64)
TEXT ·AddPairAt(SB), NOSPLIT|NOFRAME, $0-40
	ON_SWITCH
	PAIR(const_msecAddPairAt, slow)
	SLOW_EXITS(·addPairAtSlow(SB))

// The functions with a metrics section, at their msec... indices.
DATA ·metricsText+(const_msecRseqAddFloat64*8)(SB)/8, $·rseqAddFloat64(SB)
DATA ·metricsText+(const_msecAddFloat64*8)(SB)/8, $·AddFloat64(SB)
DATA ·metricsText+(const_msecRseqAddPairAt*8)(SB)/8, $·rseqAddPairAt(SB)
DATA ·metricsText+(const_msecAddPairAt*8)(SB)/8, $·AddPairAt(SB)
GLOBL ·metricsText(SB), NOPTR|RODATA, $(const_nMetricsSections*8)

// ---- end of metrics sections --------------------------------------------
