// ---- ring sections on arm64: package ringbuf's Push, one section each ----
//
// Included by sections_arm64.h, after its macros. The contract (the
// pseudocode) is ring_amd64.h's; the table is ringText, the descriptors
// ringDescs (ring_linux.go), read through RPROLOGUE.
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

// Registers: rP and rStride as for ADDINT64, loaded before the prologue;
// inside the section rIdx becomes the header, R9 the tail, R10 the entry,
// R11-R13 scratch (copy: source and count). ring, mask, step, v, src and n
// are read from the frame inside the section.
#define rHdr   R1 // = rIdx
#define rTail  R9
#define rEntry R10
#define rMask  R11

// RING_ENTER(out): ARM, the slot (to the result operand out), the header,
// the tail, the room check, the entry's address.
#define RING_ENTER(out) \
	ARM(noseq); \
	IN_RANGE(noseq, stopped); \
	MOVD	rIdx, out; \
	MUL	rStride, rIdx, rIdx; \
	ADD	rP, rHdr, rHdr; \
	MOVD	(rHdr), rTail; \
	MOVD	8(rHdr), rTmp; \
	SUB	rTmp, rTail, rEntry; \
	MOVD	mask+24(FP), rMask; \
	CMP	rMask, rEntry; \
	BHI	failed; \
	AND	rTail, rMask, rEntry; \
	MOVD	step+32(FP), rTmp; \
	MUL	rTmp, rEntry, rEntry; \
	MOVD	ring+16(FP), rTmp; \
	ADD	rTmp, rEntry, rEntry; \
	ADD	rHdr, rEntry, rEntry

#define RINGPUSH(sec, noarea) \
	MOVD	p+0(FP), rP; \
	MOVD	stride+8(FP), rStride; \
	RPROLOGUE(sec, noarea); \
	RING_ENTER(slot+48(FP)); \
	MOVD	v+40(FP), R12; \
	MOVD	R12, (rEntry); \
	ADD	$1, rTail, rTail; \
	COMMIT_RELEASE(rTail, rHdr)

#define RINGPUSHCOPY(sec, noarea) \
	MOVD	p+0(FP), rP; \
	MOVD	stride+8(FP), rStride; \
	RPROLOGUE(sec, noarea); \
	RING_ENTER(slot+56(FP)); \
	MOVD	src+40(FP), R12; \
	MOVD	n+48(FP), R13; \
rloop8: \
	CMP	$8, R13; \
	BLO	rtail; \
	MOVD.P	8(R12), rTmp; \
	MOVD.P	rTmp, 8(rEntry); \
	SUB	$8, R13, R13; \
	B	rloop8; \
rtail: \
	CBZ	R13, rcommit; \
	MOVBU.P	1(R12), rTmp; \
	MOVB.P	rTmp, 1(rEntry); \
	SUB	$1, R13, R13; \
	B	rtail; \
rcommit: \
	ADD	$1, rTail, rTail; \
	COMMIT_RELEASE(rTail, rHdr)

// func rseqRingPush(p unsafe.Pointer, stride, ring uintptr, mask uint64, step uintptr, v uint64) (slot int, st uint32)
TEXT ·rseqRingPush(SB), NOSPLIT|NOFRAME, $0-60
	RINGPUSH(const_rsecRseqRingPush, noarea)
	EXIT(const_OK, st+56(FP))
	RAW_CMP_EXITS(st+56(FP))

// func RingPush(p unsafe.Pointer, stride, ring uintptr, mask uint64, step uintptr, v uint64) (slot int, st Status)
TEXT ·RingPush(SB), NOSPLIT|NOFRAME, $0-60
	IF_ATOMIC(slow)
	RINGPUSH(const_rsecRingPush, slow)
	EXIT(const_OK, st+56(FP))
	SLOW_EXITS(·ringPushSlow(SB))
	CMP_EXITS(st+56(FP))

// func rseqRingPushCopy(p unsafe.Pointer, stride, ring uintptr, mask uint64, step uintptr, src unsafe.Pointer, n uintptr) (slot int, st uint32)
TEXT ·rseqRingPushCopy(SB), NOSPLIT|NOFRAME, $0-68
	RINGPUSHCOPY(const_rsecRseqRingPushCopy, noarea)
	EXIT(const_OK, st+64(FP))
	RAW_CMP_EXITS(st+64(FP))

// func RingPushCopy(p unsafe.Pointer, stride, ring uintptr, mask uint64, step uintptr, src unsafe.Pointer, n uintptr) (slot int, st Status)
TEXT ·RingPushCopy(SB), NOSPLIT|NOFRAME, $0-68
	MOVD	n+48(FP), rTmp
	CMP	$const_MaxMemcpy, rTmp
	BHI	slow
	IF_ATOMIC(slow)
	RINGPUSHCOPY(const_rsecRingPushCopy, slow)
	EXIT(const_OK, st+64(FP))
	SLOW_EXITS(·ringPushCopySlow(SB))
	CMP_EXITS(st+64(FP))

DATA ·ringText+(const_rsecRseqRingPush*8)(SB)/8, $·rseqRingPush(SB)
DATA ·ringText+(const_rsecRingPush*8)(SB)/8, $·RingPush(SB)
DATA ·ringText+(const_rsecRseqRingPushCopy*8)(SB)/8, $·rseqRingPushCopy(SB)
DATA ·ringText+(const_rsecRingPushCopy*8)(SB)/8, $·RingPushCopy(SB)
GLOBL ·ringText(SB), NOPTR|RODATA, $(const_nRingSections*8)
