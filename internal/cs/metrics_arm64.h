// ---- metrics sections on arm64: package counter's Float and Histogram ----
//
// Included by sections_arm64.h, after its macros. The contracts (the
// pseudocode) are those of metrics_amd64.h; the table is metricsText, the
// descriptors metricsDescs (metrics_linux.go), read through MPROLOGUE.
//
// Ordering (see sections_arm64.h): both commits are plain stores. The
// words are read by other goroutines only with every slot stopped and
// fenced (a Float's or Histogram's snapshot), and the fence orders them.

// MPROLOGUE is PROLOGUE for the metrics table.
#define MPROLOGUE(sec, noarea) TABLE_PROLOGUE(·metricsDescs, sec, noarea)

// The arguments, in the registers the bodies read (rP and rStride as for
// ADD_BODY).
#define rFDelta F1  // AddFloat64's delta
#define rX      F0  // AddPairAt's x
#define rBounds R11 // AddPairAt's bounds (read before the section only)
#define rN      R12 // AddPairAt's n (idem)
#define rBelow  R13 // AddPairAt's search result

// FADD(sec, noarea): AddFloat64 on the current slot: load, FADDD, one 8-byte
// store (the commit).
#define FADD(sec, noarea) \
	MPROLOGUE(sec, noarea); \
	ARM(noseq); \
	IN_RANGE(noseq, stopped); \
	MUL	rStride, rIdx, rIdx; \
	ADD	rP, rIdx, rIdx; \
	FMOVD	(rIdx), F2; \
	FADDD	rFDelta, F2; \
	DELAY(delay); \
	FMOVD	F2, (rIdx); \
	POST_MARKER

// PAIR_SEARCH: AddPairAt's bucket search, before PROLOGUE (outside the
// section: a retry keeps its result): p += 16 * (the number of the n
// bounds below x). One bound at a time; FCMPD then MI (strictly less,
// ordered) so that a NaN is below nothing, as on amd64. Clobbers F3,
// rTmp, rBounds, rN, rBelow; labels s1, sdone.
#define PAIR_SEARCH \
	MOVD	ZR, rBelow; \
	CBZ	rN, sdone; \
s1: \
	FMOVD.P	8(rBounds), F3; \
	FCMPD	rX, F3; \
	CSET	MI, rTmp; \
	ADD	rTmp, rBelow, rBelow; \
	SUB	$1, rN, rN; \
	CBNZ	rN, s1; \
sdone: \
	ADD	rBelow<<4, rP, rP

// PAIR(sec, noarea): AddPairAt's section on the current slot: count + 1 and sum +
// x in registers, both words committed by one STP. The kernel restarts a
// section only at an instruction boundary, and the pair is 16-byte
// aligned (it cannot straddle a page, so the STP cannot fault half done),
// so no reader holding the slots sees one word without the other.
#define PAIR(sec, noarea) \
	PAIR_SEARCH; \
	MPROLOGUE(sec, noarea); \
	ARM(noseq); \
	IN_RANGE(noseq, stopped); \
	MUL	rStride, rIdx, rIdx; \
	ADD	rP, rIdx, rIdx; \
	MOVD	(rIdx), rTmp; \
	ADD	$1, rTmp, rTmp; \
	FMOVD	8(rIdx), F2; \
	FADDD	rX, F2; \
	FMOVD	F2, R15; \
	DELAY(delay); \
	STP	(rTmp, R15), (rIdx); \
	POST_MARKER

// The functions: a raw one and an exported one around each section macro,
// of the same shape on purpose (see sections_arm64.h).

// func rseqAddFloat64(p unsafe.Pointer, stride uintptr, delta float64) uint32
TEXT ·rseqAddFloat64(SB), NOSPLIT|NOFRAME, $0-28
	MOVD	p+0(FP), rP
	MOVD	stride+8(FP), rStride
	FMOVD	delta+16(FP), rFDelta
	FADD(const_msecRseqAddFloat64, noarea)
	EXIT(const_OK, ret+24(FP))
	RAW_EXITS(ret+24(FP))

// func AddFloat64(p unsafe.Pointer, stride uintptr, delta float64)
TEXT ·AddFloat64(SB), NOSPLIT|NOFRAME, $0-24
	IF_ATOMIC(slow)
	MOVD	p+0(FP), rP
	MOVD	stride+8(FP), rStride
	FMOVD	delta+16(FP), rFDelta
	FADD(const_msecAddFloat64, slow)
	RET
	SLOW_EXITS(·addFloat64Slow(SB))

// func rseqAddPairAt(p unsafe.Pointer, stride uintptr, bounds unsafe.Pointer, n uintptr, x float64) uint32
TEXT ·rseqAddPairAt(SB), NOSPLIT|NOFRAME, $0-44
	MOVD	p+0(FP), rP
	MOVD	stride+8(FP), rStride
	MOVD	bounds+16(FP), rBounds
	MOVD	n+24(FP), rN
	FMOVD	x+32(FP), rX
	PAIR(const_msecRseqAddPairAt, noarea)
	EXIT(const_OK, ret+40(FP))
	RAW_EXITS(ret+40(FP))

// func AddPairAt(p unsafe.Pointer, stride uintptr, bounds unsafe.Pointer, n uintptr, x float64)
TEXT ·AddPairAt(SB), NOSPLIT|NOFRAME, $0-40
	IF_ATOMIC(slow)
	MOVD	p+0(FP), rP
	MOVD	stride+8(FP), rStride
	MOVD	bounds+16(FP), rBounds
	MOVD	n+24(FP), rN
	FMOVD	x+32(FP), rX
	PAIR(const_msecAddPairAt, slow)
	RET
	SLOW_EXITS(·addPairAtSlow(SB))

// The functions with a metrics section, at their msec... indices.
DATA ·metricsText+(const_msecRseqAddFloat64*8)(SB)/8, $·rseqAddFloat64(SB)
DATA ·metricsText+(const_msecAddFloat64*8)(SB)/8, $·AddFloat64(SB)
DATA ·metricsText+(const_msecRseqAddPairAt*8)(SB)/8, $·rseqAddPairAt(SB)
DATA ·metricsText+(const_msecAddPairAt*8)(SB)/8, $·AddPairAt(SB)
GLOBL ·metricsText(SB), NOPTR|RODATA, $(const_nMetricsSections*8)

// ---- end of metrics sections --------------------------------------------
