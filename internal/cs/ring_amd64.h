// ---- ring sections: package ringbuf's Push, one section each --------
//
// Included by sections_amd64.h, after its macros. They have a table of their
// own (ringText, below; descriptors in ringDescs, indexed by the rsec...
// constants of ring_linux.go), read through RPROLOGUE; their generic
// versions and slow paths are in ring.go. The whole push is the section: it finds the current
// slot, reads the ring's tail and the producers' bound on the consumers'
// head, checks room, stores the value and commits the tail, so a Push is one
// call with no slot read beforehand. The ring's layout comes as one pointer
// to a RingLayout (l; offsets RingLayout_FIELD from go_asm.h), whose words
// the section loads itself.
//
//	ring_push(l, v) -> (slot, st)
//		s = current slot; h = l.Base + s*l.Stride   // h: slot s's ring header
//		t = *(u64 *)h                        // tail
//		if t - *(u64 *)(h + 8) > l.Mask: return s, CmpFailed   // looks full (limit)
//		*(u64 *)(h + RingHeader + (t&l.Mask)*8) = v               // try-store
//		*(u64 *)h = t + 1                    // commit
//		return s, OK
//
// ring_push_copy(l, src, n) is the same with n bytes copied from src to
// entry t&l.Mask, l.Step bytes apart, instead of the one word v. A
// try-store (or partial copy) left by an aborted attempt is beyond the
// tail: consumers never read it before a commit publishes it.

// RPROLOGUE is PROLOGUE for the ring table.
#define RPROLOGUE(sec, noarea) \
	AREA(noarea); \
	MOVQ	·ringDescs+((sec)*8)(SB), rDesc; \
	MOVLQSX	·hot+hotState_idxOff(SB), rIdxOff; \
	MOVQ	·hot+hotState_stopBase(SB), rStops; \
	XORL	rAborts, rAborts

// Registers: rL (DI) the layout, loaded before the prologue; inside the
// section rIdx (CX) becomes the header, DX the tail, R12 the entry, R13 the
// entry's index, R14 the value (loaded before the prologue) or scratch.
#define rL     DI
#define rHdr   CX
#define rTail  DX
#define rEntry R12
#define rEIdx  R13

// RING_ENTER(out): ARM, the slot (to the result operand out), the header,
// the tail, the room check, the entry's index t&Mask in rEIdx.
#define RING_ENTER(out) \
	ARM(noseq); \
	IN_RANGE(noseq, stopped); \
	MOVQ	rIdx, out; \
	IMULQ	RingLayout_Stride(rL), rIdx; \
	ADDQ	RingLayout_Base(rL), rHdr; \
	MOVQ	(rHdr), rTail; \
	MOVQ	rTail, rEntry; \
	SUBQ	8(rHdr), rEntry; \
	MOVQ	RingLayout_Mask(rL), rEIdx; \
	CMPQ	rEntry, rEIdx; \
	JA	failed; \
	ANDQ	rTail, rEIdx

#define RINGPUSH(sec, noarea) \
	MOVQ	l+0(FP), rL; \
	MOVQ	v+8(FP), R14; \
	RPROLOGUE(sec, noarea); \
	RING_ENTER(slot+16(FP)); \
	MOVQ	R14, const_RingHeader(rHdr)(rEIdx*8); \
	INCQ	rTail; \
	COMMIT(rTail, (rHdr))

#define RINGPUSHCOPY(sec, noarea) \
	MOVQ	l+0(FP), rL; \
	RPROLOGUE(sec, noarea); \
	RING_ENTER(slot+24(FP)); \
	IMULQ	RingLayout_Step(rL), rEIdx; \
	LEAQ	const_RingHeader(rHdr)(rEIdx*1), rEntry; \
	MOVQ	src+8(FP), R13; \
	MOVQ	n+16(FP), R14; \
	COPY(rloop8, rtail, rcommit); \
rcommit: \
	INCQ	rTail; \
	COMMIT(rTail, (rHdr))

// COPY(loop8, tail, done) copies R14 bytes from R13 to rEntry, 8 at a
// time, then single bytes, and goes on at done.
#define COPY(loop8, tail, done) \
loop8: \
	CMPQ	R14, $8; \
	JB	tail; \
	MOVQ	(R13), rTmp; \
	MOVQ	rTmp, (rEntry); \
	ADDQ	$8, R13; \
	ADDQ	$8, rEntry; \
	SUBQ	$8, R14; \
	JMP	loop8; \
tail: \
	TESTQ	R14, R14; \
	JZ	done; \
	MOVB	(R13), rTmp; \
	MOVB	rTmp, (rEntry); \
	INCQ	R13; \
	INCQ	rEntry; \
	DECQ	R14; \
	JMP	tail

// func rseqRingPush(l *RingLayout, v uint64) (slot int, st uint32)
TEXT ·rseqRingPush(SB), NOSPLIT|NOFRAME, $0-28
	MOVL	$const_OK, st+24(FP)
	RINGPUSH(const_rsecRseqRingPush, noarea)
	RAW_CMP_EXITS(st+24(FP))

// func RingPush(l *RingLayout, v uint64) (slot int, st Status)
TEXT ·RingPush(SB), NOSPLIT|NOFRAME, $0-28
	ON_SWITCH
	MOVL	$const_OK, st+24(FP)
	RINGPUSH(const_rsecRingPush, slow)
	SLOW_EXITS(·ringPushSlow(SB))
	CMP_EXITS(st+24(FP))

// func rseqRingPushCopy(l *RingLayout, src unsafe.Pointer, n uintptr) (slot int, st uint32)
TEXT ·rseqRingPushCopy(SB), NOSPLIT|NOFRAME, $0-36
	MOVL	$const_OK, st+32(FP)
	RINGPUSHCOPY(const_rsecRseqRingPushCopy, noarea)
	RAW_CMP_EXITS(st+32(FP))

// func RingPushCopy(l *RingLayout, src unsafe.Pointer, n uintptr) (slot int, st Status)
TEXT ·RingPushCopy(SB), NOSPLIT|NOFRAME, $0-36
	ON_SWITCH
	CMPQ	n+16(FP), $const_MaxMemcpy
	JA	slow
	MOVL	$const_OK, st+32(FP)
	RINGPUSHCOPY(const_rsecRingPushCopy, slow)
	SLOW_EXITS(·ringPushCopySlow(SB))
	CMP_EXITS(st+32(FP))

// RECPUSH: records_push(l, src, n, sz) -> (slot, st), l.Mask being the
// ring's size in bytes minus one:
//
//	s = current slot; h = l.Base + s*l.Stride
//	t = *(u64 *)h; off = t & l.Mask
//	if off + sz > l.Mask+1: return s, CmpFailed          // needs a wrap marker first
//	if t + sz - *(u64 *)(h + 8) > l.Mask+1: return s, CmpFailed   // looks full (limit)
//	copy n bytes from src to h + RingHeader + off            // n <= sz, try-stores
//	*(u64 *)h = t + sz                                   // commit
//	return s, OK
#define RECPUSH(sec, noarea) \
	MOVQ	l+0(FP), rL; \
	RPROLOGUE(sec, noarea); \
	ARM(noseq); \
	IN_RANGE(noseq, stopped); \
	MOVQ	rIdx, slot+32(FP); \
	IMULQ	RingLayout_Stride(rL), rIdx; \
	ADDQ	RingLayout_Base(rL), rHdr; \
	MOVQ	(rHdr), rTail; \
	MOVQ	RingLayout_Mask(rL), rTmp; \
	MOVQ	rTail, rEIdx; \
	ANDQ	rTmp, rEIdx; \
	INCQ	rTmp; \
	MOVQ	sz+24(FP), R14; \
	LEAQ	(rEIdx)(R14*1), rEntry; \
	CMPQ	rEntry, rTmp; \
	JA	failed; \
	LEAQ	(rTail)(R14*1), rEntry; \
	SUBQ	8(rHdr), rEntry; \
	CMPQ	rEntry, rTmp; \
	JA	failed; \
	LEAQ	const_RingHeader(rHdr)(rEIdx*1), rEntry; \
	MOVQ	src+8(FP), R13; \
	MOVQ	n+16(FP), R14; \
	COPY(qloop8, qtail, qcommit); \
qcommit: \
	ADDQ	sz+24(FP), rTail; \
	COMMIT(rTail, (rHdr))

// func rseqRecordsPush(l *RingLayout, src unsafe.Pointer, n uintptr, sz uint64) (slot int, st uint32)
TEXT ·rseqRecordsPush(SB), NOSPLIT|NOFRAME, $0-44
	MOVL	$const_OK, st+40(FP)
	RECPUSH(const_rsecRseqRecordsPush, noarea)
	RAW_CMP_EXITS(st+40(FP))

// func RecordsPush(l *RingLayout, src unsafe.Pointer, n uintptr, sz uint64) (slot int, st Status)
TEXT ·RecordsPush(SB), NOSPLIT|NOFRAME, $0-44
	ON_SWITCH
	CMPQ	n+16(FP), $const_MaxMemcpy
	JA	slow
	MOVL	$const_OK, st+40(FP)
	RECPUSH(const_rsecRecordsPush, slow)
	SLOW_EXITS(·recordsPushSlow(SB))
	CMP_EXITS(st+40(FP))

DATA ·ringText+(const_rsecRseqRingPush*8)(SB)/8, $·rseqRingPush(SB)
DATA ·ringText+(const_rsecRingPush*8)(SB)/8, $·RingPush(SB)
DATA ·ringText+(const_rsecRseqRingPushCopy*8)(SB)/8, $·rseqRingPushCopy(SB)
DATA ·ringText+(const_rsecRingPushCopy*8)(SB)/8, $·RingPushCopy(SB)
DATA ·ringText+(const_rsecRseqRecordsPush*8)(SB)/8, $·rseqRecordsPush(SB)
DATA ·ringText+(const_rsecRecordsPush*8)(SB)/8, $·RecordsPush(SB)
GLOBL ·ringText(SB), NOPTR|RODATA, $(const_nRingSections*8)
