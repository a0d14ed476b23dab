// ---- ring sections on arm64: package ringbuf's Push, one section each ----
//
// Included by sections_arm64.h, after its macros. The contract (the
// pseudocode) is ring_amd64.h's; the table is ringText, the descriptors
// ringDescs (ring_linux.go), read through RPROLOGUE. The records section
// (RECPUSH) orders its copy as the ring pushes order their entry: after the
// loads of the tail and of limit that its two room checks branch on, and
// before the tail's store-release.
//
// Ordering (see sections_arm64.h): consumers on other CPUs load a ring's
// tail with acquire and then read the entries below it, so the tail's
// commit is a store-release: the entry (or the copy) is visible before the
// new tail. The entry's store comes after the room check's loads of the
// tail and of the producers' bound on the head, and depends on them through
// the check's branch: arm64 does not make a store visible before the branch
// it depends on is resolved, so a producer never overwrites an entry before
// it has read a bound that says the consumers are done with it (they
// advance the head with a CAS, after reading the entry, and the bound is
// refreshed in Go from an acquire load of that head).

// RPROLOGUE is PROLOGUE for the ring table.
#define RPROLOGUE(sec, noarea) TABLE_PROLOGUE(·ringDescs, sec, noarea)

// Registers: rL the layout (a *RingLayout: offsets RingLayout_FIELD from
// go_asm.h), loaded before the prologue; inside the section rIdx becomes
// the header, R9 the tail, R10 the entry, R11 the bound (mask) and then the
// entry's index, R12 and R13 scratch (copy: source and count), R8 the
// value (loaded before the prologue).
#define rL     R7
#define rHdr   R1 // = rIdx
#define rTail  R9
#define rEntry R10
#define rMask  R11

// RING_ENTER(out): ARM, the slot (to the result operand out), the header,
// the tail, the room check, the entry's index tail&Mask in rMask.
#define RING_ENTER(out) \
	ARM(noseq); \
	IN_RANGE(noseq, stopped); \
	MOVD	rIdx, out; \
	MOVD	RingLayout_Stride(rL), rTmp; \
	MUL	rTmp, rIdx, rIdx; \
	MOVD	RingLayout_Base(rL), rTmp; \
	ADD	rTmp, rHdr, rHdr; \
	MOVD	(rHdr), rTail; \
	MOVD	8(rHdr), rTmp; \
	SUB	rTmp, rTail, rEntry; \
	MOVD	RingLayout_Mask(rL), rMask; \
	CMP	rMask, rEntry; \
	BHI	failed; \
	AND	rTail, rMask, rMask

#define RINGPUSH(sec, noarea) \
	MOVD	l+0(FP), rL; \
	MOVD	v+8(FP), R8; \
	RPROLOGUE(sec, noarea); \
	RING_ENTER(slot+16(FP)); \
	ADD	$const_RingHeader, rHdr, rEntry; \
	MOVD	R8, (rEntry)(rMask<<3); \
	ADD	$1, rTail, rTail; \
	COMMIT_RELEASE(rTail, rHdr)

#define RINGPUSHCOPY(sec, noarea) \
	MOVD	l+0(FP), rL; \
	RPROLOGUE(sec, noarea); \
	RING_ENTER(slot+24(FP)); \
	MOVD	RingLayout_Step(rL), rTmp; \
	MUL	rTmp, rMask, rMask; \
	ADD	$const_RingHeader, rMask, rMask; \
	ADD	rHdr, rMask, rEntry; \
	MOVD	src+8(FP), R12; \
	MOVD	n+16(FP), R13; \
	COPY(rloop8, rtail, rcommit); \
rcommit: \
	ADD	$1, rTail, rTail; \
	COMMIT_RELEASE(rTail, rHdr)

// COPY(loop8, tail, done) copies R13 bytes from R12 to rEntry, 8 at a
// time, then single bytes, and goes on at done.
#define COPY(loop8, tail, done) \
loop8: \
	CMP	$8, R13; \
	BLO	tail; \
	MOVD.P	8(R12), rTmp; \
	MOVD.P	rTmp, 8(rEntry); \
	SUB	$8, R13, R13; \
	B	loop8; \
tail: \
	CBZ	R13, done; \
	MOVBU.P	1(R12), rTmp; \
	MOVB.P	rTmp, 1(rEntry); \
	SUB	$1, R13, R13; \
	B	tail

// func rseqRingPush(l *RingLayout, v uint64) (slot int, st uint32)
TEXT ·rseqRingPush(SB), NOSPLIT|NOFRAME, $0-28
	RINGPUSH(const_rsecRseqRingPush, noarea)
	EXIT(const_OK, st+24(FP))
	RAW_CMP_EXITS(st+24(FP))

// func RingPush(l *RingLayout, v uint64) (slot int, st Status)
TEXT ·RingPush(SB), NOSPLIT|NOFRAME, $0-28
	IF_ATOMIC(slow)
	RINGPUSH(const_rsecRingPush, slow)
	EXIT(const_OK, st+24(FP))
	SLOW_EXITS(·ringPushSlow(SB))
	CMP_EXITS(st+24(FP))

// func rseqRingPushCopy(l *RingLayout, src unsafe.Pointer, n uintptr) (slot int, st uint32)
TEXT ·rseqRingPushCopy(SB), NOSPLIT|NOFRAME, $0-36
	RINGPUSHCOPY(const_rsecRseqRingPushCopy, noarea)
	EXIT(const_OK, st+32(FP))
	RAW_CMP_EXITS(st+32(FP))

// func RingPushCopy(l *RingLayout, src unsafe.Pointer, n uintptr) (slot int, st Status)
TEXT ·RingPushCopy(SB), NOSPLIT|NOFRAME, $0-36
	MOVD	n+16(FP), rTmp
	CMP	$const_MaxMemcpy, rTmp
	BHI	slow
	IF_ATOMIC(slow)
	RINGPUSHCOPY(const_rsecRingPushCopy, slow)
	EXIT(const_OK, st+32(FP))
	SLOW_EXITS(·ringPushCopySlow(SB))
	CMP_EXITS(st+32(FP))

// RECPUSH: ring_amd64.h's records_push(l, src, n, sz) -> (slot, st).
// Registers as for the rings: rMask becomes the ring's size, rEntry the
// record's offset and then its address; R12 holds sz, then the source.
#define RECPUSH(sec, noarea) \
	MOVD	l+0(FP), rL; \
	RPROLOGUE(sec, noarea); \
	ARM(noseq); \
	IN_RANGE(noseq, stopped); \
	MOVD	rIdx, slot+32(FP); \
	MOVD	RingLayout_Stride(rL), rTmp; \
	MUL	rTmp, rIdx, rIdx; \
	MOVD	RingLayout_Base(rL), rTmp; \
	ADD	rTmp, rHdr, rHdr; \
	MOVD	(rHdr), rTail; \
	MOVD	RingLayout_Mask(rL), rMask; \
	AND	rTail, rMask, rEntry; \
	ADD	$1, rMask, rMask; \
	MOVD	sz+24(FP), R12; \
	ADD	R12, rEntry, rTmp; \
	CMP	rMask, rTmp; \
	BHI	failed; \
	MOVD	8(rHdr), R13; \
	ADD	R12, rTail, rTmp; \
	SUB	R13, rTmp, rTmp; \
	CMP	rMask, rTmp; \
	BHI	failed; \
	ADD	$const_RingHeader, rEntry, rEntry; \
	ADD	rHdr, rEntry, rEntry; \
	MOVD	src+8(FP), R12; \
	MOVD	n+16(FP), R13; \
	COPY(qloop8, qtail, qcommit); \
qcommit: \
	MOVD	sz+24(FP), rTmp; \
	ADD	rTmp, rTail, rTail; \
	COMMIT_RELEASE(rTail, rHdr)

// func rseqRecordsPush(l *RingLayout, src unsafe.Pointer, n uintptr, sz uint64) (slot int, st uint32)
TEXT ·rseqRecordsPush(SB), NOSPLIT|NOFRAME, $0-44
	RECPUSH(const_rsecRseqRecordsPush, noarea)
	EXIT(const_OK, st+40(FP))
	RAW_CMP_EXITS(st+40(FP))

// func RecordsPush(l *RingLayout, src unsafe.Pointer, n uintptr, sz uint64) (slot int, st Status)
TEXT ·RecordsPush(SB), NOSPLIT|NOFRAME, $0-44
	MOVD	n+16(FP), rTmp
	CMP	$const_MaxMemcpy, rTmp
	BHI	slow
	IF_ATOMIC(slow)
	RECPUSH(const_rsecRecordsPush, slow)
	EXIT(const_OK, st+40(FP))
	SLOW_EXITS(·recordsPushSlow(SB))
	CMP_EXITS(st+40(FP))

DATA ·ringText+(const_rsecRseqRingPush*8)(SB)/8, $·rseqRingPush(SB)
DATA ·ringText+(const_rsecRingPush*8)(SB)/8, $·RingPush(SB)
DATA ·ringText+(const_rsecRseqRingPushCopy*8)(SB)/8, $·rseqRingPushCopy(SB)
DATA ·ringText+(const_rsecRingPushCopy*8)(SB)/8, $·RingPushCopy(SB)
DATA ·ringText+(const_rsecRseqRecordsPush*8)(SB)/8, $·rseqRecordsPush(SB)
DATA ·ringText+(const_rsecRecordsPush*8)(SB)/8, $·RecordsPush(SB)
GLOBL ·ringText(SB), NOPTR|RODATA, $(const_nRingSections*8)
