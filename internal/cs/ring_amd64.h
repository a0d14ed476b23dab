// ---- ring sections: package ringbuf's Push, one section each --------
//
// Included by sections_amd64.h, after its macros. They exist on amd64 only
// for now, so they have a table of their own (ringText, below; descriptors
// in ringDescs, indexed by the rsec... constants of ring_linux_amd64.go),
// read through RPROLOGUE; their generic versions and slow paths are in
// ring.go. The whole push is the section: it finds the current slot, reads
// the ring's tail and the producers' bound on the consumers' head, checks
// room, stores the value and commits the tail, so a Push is one call with
// no slot read beforehand.
//
//	ring_push(p, stride, ring, mask, step, v) -> (slot, st)
//		s = current slot; h = p + s*stride   // h: slot s's ring header
//		t = *(u64 *)h                        // tail
//		if t - *(u64 *)(h + 8) > mask: return s, CmpFailed   // looks full (limit)
//		*(u64 *)(h + ring + (t&mask)*step) = v               // try-store
//		*(u64 *)h = t + 1                    // commit
//		return s, OK
//
// ring_push_copy is the same with n bytes copied from src instead of the
// one word v. A try-store (or partial copy) left by an aborted attempt is
// beyond the tail: consumers never read it before a commit publishes it.

// RPROLOGUE is PROLOGUE for the ring table.
#define RPROLOGUE(sec, noarea) \
	AREA(noarea); \
	MOVQ	·ringDescs+((sec)*8)(SB), rDesc; \
	MOVLQSX	·hot+hotState_idxOff(SB), rIdxOff; \
	MOVQ	·hot+hotState_stopBase(SB), rStops; \
	XORL	rAborts, rAborts

// Registers: rP and rStride (DI, SI) as for ADD, loaded before the
// prologue; inside the section rIdx (CX) becomes the header, DX the tail,
// R12 the entry, R13 and R14 scratch (copy: source and count). ring, mask,
// step, v, src and n are read from the frame inside the section.
#define rHdr   CX
#define rTail  DX
#define rEntry R12

// RING_ENTER(out): ARM, the slot (to the result operand out), the header,
// the tail, the room check, the entry's address.
#define RING_ENTER(out) \
	ARM(noseq); \
	IN_RANGE(noseq, stopped); \
	MOVQ	rIdx, out; \
	IMULQ	rStride, rIdx; \
	ADDQ	rP, rHdr; \
	MOVQ	(rHdr), rTail; \
	MOVQ	rTail, rEntry; \
	SUBQ	8(rHdr), rEntry; \
	CMPQ	rEntry, mask+24(FP); \
	JA	failed; \
	MOVQ	rTail, rEntry; \
	ANDQ	mask+24(FP), rEntry; \
	IMULQ	step+32(FP), rEntry; \
	ADDQ	ring+16(FP), rEntry; \
	ADDQ	rHdr, rEntry

#define RINGPUSH(sec, noarea) \
	MOVQ	p+0(FP), rP; \
	MOVQ	stride+8(FP), rStride; \
	RPROLOGUE(sec, noarea); \
	RING_ENTER(slot+48(FP)); \
	MOVQ	v+40(FP), R13; \
	MOVQ	R13, (rEntry); \
	INCQ	rTail; \
	COMMIT(rTail, (rHdr))

#define RINGPUSHCOPY(sec, noarea) \
	MOVQ	p+0(FP), rP; \
	MOVQ	stride+8(FP), rStride; \
	RPROLOGUE(sec, noarea); \
	RING_ENTER(slot+56(FP)); \
	MOVQ	src+40(FP), R13; \
	MOVQ	n+48(FP), R14; \
rloop8: \
	CMPQ	R14, $8; \
	JB	rtail; \
	MOVQ	(R13), rTmp; \
	MOVQ	rTmp, (rEntry); \
	ADDQ	$8, R13; \
	ADDQ	$8, rEntry; \
	SUBQ	$8, R14; \
	JMP	rloop8; \
rtail: \
	TESTQ	R14, R14; \
	JZ	rcommit; \
	MOVB	(R13), rTmp; \
	MOVB	rTmp, (rEntry); \
	INCQ	R13; \
	INCQ	rEntry; \
	DECQ	R14; \
	JMP	rtail; \
rcommit: \
	INCQ	rTail; \
	COMMIT(rTail, (rHdr))

// func rseqRingPush(p unsafe.Pointer, stride, ring uintptr, mask uint64, step uintptr, v uint64) (slot int, st uint32)
TEXT ·rseqRingPush(SB), NOSPLIT|NOFRAME, $0-60
	MOVL	$const_OK, st+56(FP)
	RINGPUSH(const_rsecRseqRingPush, noarea)
	RAW_CMP_EXITS(st+56(FP))

// func RingPush(p unsafe.Pointer, stride, ring uintptr, mask uint64, step uintptr, v uint64) (slot int, st Status)
TEXT ·RingPush(SB), NOSPLIT|NOFRAME, $0-60
	ON_SWITCH
	MOVL	$const_OK, st+56(FP)
	RINGPUSH(const_rsecRingPush, slow)
	SLOW_EXITS(·ringPushSlow(SB))
	CMP_EXITS(st+56(FP))

// func rseqRingPushCopy(p unsafe.Pointer, stride, ring uintptr, mask uint64, step uintptr, src unsafe.Pointer, n uintptr) (slot int, st uint32)
TEXT ·rseqRingPushCopy(SB), NOSPLIT|NOFRAME, $0-68
	MOVL	$const_OK, st+64(FP)
	RINGPUSHCOPY(const_rsecRseqRingPushCopy, noarea)
	RAW_CMP_EXITS(st+64(FP))

// func RingPushCopy(p unsafe.Pointer, stride, ring uintptr, mask uint64, step uintptr, src unsafe.Pointer, n uintptr) (slot int, st Status)
TEXT ·RingPushCopy(SB), NOSPLIT|NOFRAME, $0-68
	ON_SWITCH
	CMPQ	n+48(FP), $const_MaxMemcpy
	JA	slow
	MOVL	$const_OK, st+64(FP)
	RINGPUSHCOPY(const_rsecRingPushCopy, slow)
	SLOW_EXITS(·ringPushCopySlow(SB))
	CMP_EXITS(st+64(FP))

// RECPUSH: records_push(p, stride, ring, size, src, n, sz) -> (slot, st):
//
//	s = current slot; h = p + s*stride
//	t = *(u64 *)h; off = t & (size-1)
//	if off + sz > size: return s, CmpFailed          // needs a wrap marker first
//	if t + sz - *(u64 *)(h + 8) > size: return s, CmpFailed   // looks full (limit)
//	copy n bytes from src to h + ring + off          // n <= sz, try-stores
//	*(u64 *)h = t + sz                               // commit
//	return s, OK
// RECPROLOGUE is PROLOGUE for the records table (recDescs,
// ring_linux_amd64.go).
#define RECPROLOGUE(sec, noarea) \
	AREA(noarea); \
	MOVQ	·recDescs+((sec)*8)(SB), rDesc; \
	MOVLQSX	·hot+hotState_idxOff(SB), rIdxOff; \
	MOVQ	·hot+hotState_stopBase(SB), rStops; \
	XORL	rAborts, rAborts

#define RECPUSH(sec, noarea) \
	MOVQ	p+0(FP), rP; \
	MOVQ	stride+8(FP), rStride; \
	RECPROLOGUE(sec, noarea); \
	ARM(noseq); \
	IN_RANGE(noseq, stopped); \
	MOVQ	rIdx, slot+56(FP); \
	IMULQ	rStride, rIdx; \
	ADDQ	rP, rHdr; \
	MOVQ	(rHdr), rTail; \
	MOVQ	size+24(FP), R13; \
	DECQ	R13; \
	MOVQ	rTail, rEntry; \
	ANDQ	R13, rEntry; \
	MOVQ	rEntry, R13; \
	ADDQ	sz+48(FP), R13; \
	CMPQ	R13, size+24(FP); \
	JA	failed; \
	MOVQ	rTail, R13; \
	ADDQ	sz+48(FP), R13; \
	SUBQ	8(rHdr), R13; \
	CMPQ	R13, size+24(FP); \
	JA	failed; \
	ADDQ	ring+16(FP), rEntry; \
	ADDQ	rHdr, rEntry; \
	MOVQ	src+32(FP), R13; \
	MOVQ	n+40(FP), R14; \
qloop8: \
	CMPQ	R14, $8; \
	JB	qtail; \
	MOVQ	(R13), rTmp; \
	MOVQ	rTmp, (rEntry); \
	ADDQ	$8, R13; \
	ADDQ	$8, rEntry; \
	SUBQ	$8, R14; \
	JMP	qloop8; \
qtail: \
	TESTQ	R14, R14; \
	JZ	qcommit; \
	MOVB	(R13), rTmp; \
	MOVB	rTmp, (rEntry); \
	INCQ	R13; \
	INCQ	rEntry; \
	DECQ	R14; \
	JMP	qtail; \
qcommit: \
	ADDQ	sz+48(FP), rTail; \
	COMMIT(rTail, (rHdr))

// func rseqRecordsPush(p unsafe.Pointer, stride, ring uintptr, size uint64, src unsafe.Pointer, n uintptr, sz uint64) (slot int, st uint32)
TEXT ·rseqRecordsPush(SB), NOSPLIT|NOFRAME, $0-68
	MOVL	$const_OK, st+64(FP)
	RECPUSH(const_rrsecRseqRecordsPush, noarea)
	RAW_CMP_EXITS(st+64(FP))

// func RecordsPush(p unsafe.Pointer, stride, ring uintptr, size uint64, src unsafe.Pointer, n uintptr, sz uint64) (slot int, st Status)
TEXT ·RecordsPush(SB), NOSPLIT|NOFRAME, $0-68
	ON_SWITCH
	CMPQ	n+40(FP), $const_MaxMemcpy
	JA	slow
	MOVL	$const_OK, st+64(FP)
	RECPUSH(const_rrsecRecordsPush, slow)
	SLOW_EXITS(·recordsPushSlow(SB))
	CMP_EXITS(st+64(FP))

DATA ·ringText+(const_rsecRseqRingPush*8)(SB)/8, $·rseqRingPush(SB)
DATA ·ringText+(const_rsecRingPush*8)(SB)/8, $·RingPush(SB)
DATA ·ringText+(const_rsecRseqRingPushCopy*8)(SB)/8, $·rseqRingPushCopy(SB)
DATA ·ringText+(const_rsecRingPushCopy*8)(SB)/8, $·RingPushCopy(SB)
GLOBL ·ringText(SB), NOPTR|RODATA, $(const_nRingSections*8)

DATA ·recText+(const_rrsecRseqRecordsPush*8)(SB)/8, $·rseqRecordsPush(SB)
DATA ·recText+(const_rrsecRecordsPush*8)(SB)/8, $·RecordsPush(SB)
GLOBL ·recText(SB), NOPTR|RODATA, $(const_nRecSections*8)
