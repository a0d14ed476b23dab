// ==== Sections on the current slot on arm64: stack pop, stack push, list
// pop here, list push here. Included by sections_arm64.h; their csText
// entries are at the end of its table. The semantics (librseq-style
// pseudocode) are in here_amd64.h; the shapes here are the same.
//
// Ordering (see sections_arm64.h): the pops commit with a plain store (the
// popped index or node goes to the calling goroutine; the slot's next user
// gets the count or head through the scheduler's handoff). The pushes
// commit with a store-release, so that their try-store (the stack entry,
// the node's link) and the caller's writes before the call are visible
// before the new count or head to a reader that loads it with acquire.

#define rBase  R8  // p or head: slot 0's copy
#define rStep  R7  // stride
#define rTop   R1  // = rIdx, which HERE turns into the current slot's copy
#define rCount R9  // stacks: the count
#define rItem  R10 // stacks: the index pushed or popped; list push: the node
#define rMax   R11 // stack push: the bound
#define rOff   R9  // lists: the offset of the links from the head
#define rEnd   R10 // list pop: the sentinel
#define rTook  R11 // list pop: the node; list push: the old head
#define rLinkP R12 // lists: the links' base, then a link

// HERE: after ARM, checks the slot index and the stop word, then turns
// rIdx into the current slot's copy (rTop).
#define HERE \
	IN_RANGE(noseq, stopped); \
	MUL	rStep, rIdx, rIdx; \
	ADD	rBase, rIdx, rIdx

#define STACKPOP(sec, noarea) \
	MOVD	p+0(FP), rBase; \
	MOVD	stride+8(FP), rStep; \
	PROLOGUE(sec, noarea); \
	ARM(noseq); \
	HERE; \
	MOVD	(rTop), rCount; \
	CBZ	rCount, failed; \
	SUB	$1, rCount, rCount; \
	ADD	rCount<<2, rTop, rTmp; \
	MOVWU	8(rTmp), rItem; \
	COMMIT(rCount, rTop)

#define STACKPUSH(sec, noarea) \
	MOVD	p+0(FP), rBase; \
	MOVD	stride+8(FP), rStep; \
	MOVWU	x+16(FP), rItem; \
	MOVD	max+24(FP), rMax; \
	PROLOGUE(sec, noarea); \
	ARM(noseq); \
	HERE; \
	MOVD	(rTop), rCount; \
	CMP	rMax, rCount; \
	BHS	failed; \
	ADD	rCount<<2, rTop, rTmp; \
	MOVW	rItem, 8(rTmp); \
	ADD	$1, rCount, rCount; \
	COMMIT_RELEASE(rCount, rTop)

#define LISTPOPHERE(sec, noarea) \
	MOVD	head+0(FP), rBase; \
	MOVD	stride+8(FP), rStep; \
	MOVD	links+16(FP), rOff; \
	MOVD	sentinel+24(FP), rEnd; \
	PROLOGUE(sec, noarea); \
	ARM(noseq); \
	HERE; \
	MOVD	(rTop), rTook; \
	SUB	rEnd, rTook, rTmp; \
	CBZ	rTmp, failed; \
	ADD	rOff, rTop, rLinkP; \
	MOVD	(rLinkP)(rTook<<3), rLinkP; \
	COMMIT(rLinkP, rTop)

#define LISTPUSHHERE(sec, noarea) \
	MOVD	head+0(FP), rBase; \
	MOVD	stride+8(FP), rStep; \
	MOVD	links+16(FP), rOff; \
	MOVD	node+24(FP), rItem; \
	PROLOGUE(sec, noarea); \
	ARM(noseq); \
	HERE; \
	MOVD	(rTop), rTook; \
	ADD	rOff, rTop, rLinkP; \
	ADD	rItem<<3, rLinkP, rLinkP; \
	MOVD	rTook, (rLinkP); \
	COMMIT_RELEASE(rItem, rTop)

// The functions: a raw one and an exported one around each section macro,
// of the same shape on purpose (see sections_arm64.h).

// func rseqStackPop(p unsafe.Pointer, stride uintptr) (x uint32, st uint32)
TEXT ·rseqStackPop(SB), NOSPLIT|NOFRAME, $0-24
	STACKPOP(const_secRseqStackPop, noarea)
	MOVW	rItem, x+16(FP)
	EXIT(const_OK, st+20(FP))
	RAW_EXITS(st+20(FP))
failed:
	MOVW	ZR, x+16(FP)
	EXIT(const_CmpFailed, st+20(FP))

// func StackPop(p unsafe.Pointer, stride uintptr) (uint32, Status)
TEXT ·StackPop(SB), NOSPLIT|NOFRAME, $0-24
	IF_ATOMIC(slow)
	STACKPOP(const_secStackPop, slow)
	MOVW	rItem, ret+16(FP)
	EXIT(const_OK, ret1+20(FP))
	SLOW_EXITS(·stackPopSlow(SB))
failed:
	MOVW	ZR, ret+16(FP)
	EXIT(const_CmpFailed, ret1+20(FP))

// func rseqStackPush(p unsafe.Pointer, stride uintptr, x uint32, max uint64) uint32
TEXT ·rseqStackPush(SB), NOSPLIT|NOFRAME, $0-36
	STACKPUSH(const_secRseqStackPush, noarea)
	EXIT(const_OK, ret+32(FP))
	RAW_CMP_EXITS(ret+32(FP))

// func StackPush(p unsafe.Pointer, stride uintptr, x uint32, max uint64) Status
TEXT ·StackPush(SB), NOSPLIT|NOFRAME, $0-36
	IF_ATOMIC(slow)
	STACKPUSH(const_secStackPush, slow)
	EXIT(const_OK, ret+32(FP))
	SLOW_EXITS(·stackPushSlow(SB))
failed:
	EXIT(const_CmpFailed, ret+32(FP))

// func rseqListPopHere(head unsafe.Pointer, stride, links uintptr, sentinel uint64) (node uint64, st uint32)
TEXT ·rseqListPopHere(SB), NOSPLIT|NOFRAME, $0-44
	LISTPOPHERE(const_secRseqListPopHere, noarea)
	MOVD	rTook, node+32(FP)
	EXIT(const_OK, st+40(FP))
	RAW_EXITS(st+40(FP))
failed:
	MOVD	rTook, node+32(FP)
	EXIT(const_CmpFailed, st+40(FP))

// func ListPopHere(head unsafe.Pointer, stride, links uintptr, sentinel uint64) (uint64, Status)
TEXT ·ListPopHere(SB), NOSPLIT|NOFRAME, $0-44
	IF_ATOMIC(slow)
	LISTPOPHERE(const_secListPopHere, slow)
	MOVD	rTook, ret+32(FP)
	EXIT(const_OK, ret1+40(FP))
	SLOW_EXITS(·listPopHereSlow(SB))
failed:
	MOVD	rTook, ret+32(FP)
	EXIT(const_CmpFailed, ret1+40(FP))

// func rseqListPushHere(head unsafe.Pointer, stride, links uintptr, node uint64) uint32
TEXT ·rseqListPushHere(SB), NOSPLIT|NOFRAME, $0-36
	LISTPUSHHERE(const_secRseqListPushHere, noarea)
	EXIT(const_OK, ret+32(FP))
	RAW_EXITS(ret+32(FP))

// func ListPushHere(head unsafe.Pointer, stride, links uintptr, node uint64)
TEXT ·ListPushHere(SB), NOSPLIT|NOFRAME, $0-32
	IF_ATOMIC(slow)
	LISTPUSHHERE(const_secListPushHere, slow)
	RET
	SLOW_EXITS(·listPushHereSlow(SB))

// ==== end of the sections on the current slot
