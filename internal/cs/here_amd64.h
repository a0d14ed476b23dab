// ==== Sections on the current slot (list.Pool's stacks, list.PerCPU's
// lists): stack pop, stack push, list pop here, list push here. Owner: the
// pool work (issue 14). Included by sections_amd64.h; their csText entries
// are at the end of its table.
//
// Each finds its slot inside the section (IN_RANGE), as AddInt64 does: the
// caller makes one call and never sees Moved. Memory is slot 0's copy at p
// (or head); slot s's copy is at p + s*stride. Semantics, librseq-style
// (every load and store on the current slot's copy; ONE commit store):
//
//	stack_pop(p, stride) -> (x, st)          // tcmalloc's per-CPU slab pop
//		top = p + cpu*stride
//		c = *(u64 *)top
//		if c == 0: return 0, CmpFailed
//		x = ((u32 *)(top + 8))[c-1]
//		*(u64 *)top = c - 1                  // commit
//		return x, OK
//
//	stack_push(p, stride, x, max) -> st
//		top = p + cpu*stride
//		c = *(u64 *)top
//		if c >= max: return CmpFailed
//		((u32 *)(top + 8))[c] = x            // try-store
//		*(u64 *)top = c + 1                  // commit
//		return OK
//
//	list_pop_here(head, stride, links, sentinel) -> (node, st)
//		h = head + cpu*stride
//		node = *(u64 *)h
//		if node == sentinel: return node, CmpFailed
//		*(u64 *)h = ((u64 *)(h + links))[node]   // commit
//		return node, OK
//
//	list_push_here(head, stride, links, node) -> st
//		h = head + cpu*stride
//		((u64 *)(h + links))[node] = *(u64 *)h   // try-store
//		*(u64 *)h = node                     // commit
//		return OK
//
//	list_move_copy(d, dst) -> st            // list.PerCPU's Pop of a value without pointers (amd64)
//		top = d.Base + cpu*d.Stride
//		x = *(u64 *)top                      // list A's head
//		if x == ^0: return CmpFailed
//		((u64 *)(top + d.LinksB))[x] = *(u64 *)(top + 8)   // try-store: x is on list A, not B
//		copy d.Size bytes from d.Values + x*d.Size to dst   // try-stores
//		(*(u64 *)top, *(u64 *)(top + 8)) = (((u64 *)(top + d.LinksA))[x], x)  // commit: one 16-byte store
//		return OK
//
// A try-store left by an aborted attempt is harmless: a stack's slot c is
// above the count, and a list's link belongs to a node the caller owns,
// which no list of that slot holds; a move-copy's link is list B's link of
// a node on list A, and its copy lands in the caller's dst, which it reads
// only after OK.

#define rBase  DI  // p or head: slot 0's copy
#define rStep  SI  // stride
#define rTop   CX  // = rIdx, which HERE turns into the current slot's copy
#define rCount DX  // stacks: the count
#define rItem  R12 // stacks: the index pushed or popped; list push: the node
#define rMax   R13 // stack push: the bound
#define rOff   DX  // lists: the offset of the links from the head
#define rEnd   R12 // list pop: the sentinel
#define rTook  R13 // list pop: the node; list push: the old head
#define rLinkP R14 // lists: the links' base, then a link

// HERE: after ARM, checks the slot index and the stop word, then turns
// rIdx into the current slot's copy (rTop).
#define HERE \
	IN_RANGE(noseq, stopped); \
	IMULQ	rStep, rIdx; \
	ADDQ	rBase, rIdx

// Each section is one macro, used by the raw function and by the exported
// one: it loads the arguments, runs PROLOGUE(sec, noarea), and is the whole
// section, from retry to the post-commit RET.

// The stacks' first arguments: p and stride.
#define STACK_ARGS \
	MOVQ	p+0(FP), rBase; \
	MOVQ	stride+8(FP), rStep

// STACKPOP(sec, noarea, x): x is the frame slot of the popped index, stored
// before the commit (nothing may follow it but RET).
#define STACKPOP(sec, noarea, x) \
	STACK_ARGS; \
	PROLOGUE(sec, noarea); \
	ARM(noseq); \
	HERE; \
	MOVQ	(rTop), rCount; \
	TESTQ	rCount, rCount; \
	JZ	failed; \
	MOVL	4(rTop)(rCount*4), rItem; \
	MOVL	rItem, x; \
	DECQ	rCount; \
	COMMIT(rCount, (rTop))

#define STACKPUSH(sec, noarea) \
	STACK_ARGS; \
	MOVL	x+16(FP), rItem; \
	MOVQ	max+24(FP), rMax; \
	PROLOGUE(sec, noarea); \
	ARM(noseq); \
	HERE; \
	MOVQ	(rTop), rCount; \
	CMPQ	rCount, rMax; \
	JAE	failed; \
	MOVL	rItem, 8(rTop)(rCount*4); \
	INCQ	rCount; \
	COMMIT(rCount, (rTop))

// LISTPOPHERE(sec, noarea, node): node is the frame slot of the popped node.
#define LISTPOPHERE(sec, noarea, node) \
	MOVQ	head+0(FP), rBase; \
	MOVQ	stride+8(FP), rStep; \
	MOVQ	links+16(FP), rOff; \
	MOVQ	sentinel+24(FP), rEnd; \
	PROLOGUE(sec, noarea); \
	ARM(noseq); \
	HERE; \
	MOVQ	(rTop), rTook; \
	CMPQ	rTook, rEnd; \
	JEQ	failed; \
	LEAQ	(rTop)(rOff*1), rLinkP; \
	MOVQ	(rLinkP)(rTook*8), rLinkP; \
	MOVQ	rTook, node; \
	COMMIT(rLinkP, (rTop))

#define LISTPUSHHERE(sec, noarea) \
	MOVQ	head+0(FP), rBase; \
	MOVQ	stride+8(FP), rStep; \
	MOVQ	links+16(FP), rOff; \
	MOVQ	node+24(FP), rItem; \
	PROLOGUE(sec, noarea); \
	ARM(noseq); \
	HERE; \
	MOVQ	(rTop), rTook; \
	LEAQ	(rTop)(rOff*1), rLinkP; \
	MOVQ	rTook, (rLinkP)(rItem*8); \
	COMMIT(rItem, (rTop))

// The functions: a raw one and an exported one around each section macro.
// The blocks have the same shape on purpose (see sections_amd64.h): only
// what differs is written out.

// func rseqStackPop(p unsafe.Pointer, stride uintptr) (x uint32, st uint32)
TEXT ·rseqStackPop(SB), NOSPLIT|NOFRAME, $0-24
	MOVL	$const_OK, st+20(FP)
	STACKPOP(const_secRseqStackPop, noarea, x+16(FP))
	RAW_EXITS(st+20(FP))
failed:
	MOVL	$0, x+16(FP)
	EXIT(const_CmpFailed, st+20(FP))

// func StackPop(p unsafe.Pointer, stride uintptr) (uint32, Status)
TEXT ·StackPop(SB), NOSPLIT|NOFRAME, $0-24
	ON_SWITCH
	MOVL	$const_OK, ret1+20(FP)
	STACKPOP(const_secStackPop, slow, ret+16(FP))
	SLOW_EXITS(·stackPopSlow(SB))
failed:
	MOVL	$0, ret+16(FP)
	EXIT(const_CmpFailed, ret1+20(FP))

// func rseqStackPush(p unsafe.Pointer, stride uintptr, x uint32, max uint64) uint32
TEXT ·rseqStackPush(SB), NOSPLIT|NOFRAME, $0-36
	MOVL	$const_OK, ret+32(FP)
	STACKPUSH(const_secRseqStackPush, noarea)
	RAW_CMP_EXITS(ret+32(FP))

// func StackPush(p unsafe.Pointer, stride uintptr, x uint32, max uint64) Status
TEXT ·StackPush(SB), NOSPLIT|NOFRAME, $0-36
	ON_SWITCH
	MOVL	$const_OK, ret+32(FP)
	STACKPUSH(const_secStackPush, slow)
	SLOW_EXITS(·stackPushSlow(SB))
failed:
	EXIT(const_CmpFailed, ret+32(FP))

// func rseqListPopHere(head unsafe.Pointer, stride, links uintptr, sentinel uint64) (node uint64, st uint32)
TEXT ·rseqListPopHere(SB), NOSPLIT|NOFRAME, $0-44
	MOVL	$const_OK, st+40(FP)
	LISTPOPHERE(const_secRseqListPopHere, noarea, node+32(FP))
	RAW_EXITS(st+40(FP))
failed:
	MOVQ	rTook, node+32(FP)
	EXIT(const_CmpFailed, st+40(FP))

// func ListPopHere(head unsafe.Pointer, stride, links uintptr, sentinel uint64) (uint64, Status)
TEXT ·ListPopHere(SB), NOSPLIT|NOFRAME, $0-44
	ON_SWITCH
	MOVL	$const_OK, ret1+40(FP)
	LISTPOPHERE(const_secListPopHere, slow, ret+32(FP))
	SLOW_EXITS(·listPopHereSlow(SB))
failed:
	MOVQ	rTook, ret+32(FP)
	EXIT(const_CmpFailed, ret1+40(FP))

// func rseqListPushHere(head unsafe.Pointer, stride, links uintptr, node uint64) uint32
TEXT ·rseqListPushHere(SB), NOSPLIT|NOFRAME, $0-36
	MOVL	$const_OK, ret+32(FP)
	LISTPUSHHERE(const_secRseqListPushHere, noarea)
	RAW_EXITS(ret+32(FP))

// func ListPushHere(head unsafe.Pointer, stride, links uintptr, node uint64)
TEXT ·ListPushHere(SB), NOSPLIT|NOFRAME, $0-32
	ON_SWITCH
	LISTPUSHHERE(const_secListPushHere, slow)
	SLOW_EXITS(·listPushHereSlow(SB))

// LISTMOVECOPY(sec, noarea): the two heads are the two words at the
// slot's copy, committed together by one MOVOU (an x86 store instruction
// either happens whole or not at all, faults included, which is all a
// section needs; other CPUs read the heads only with the slot stopped, or
// as hints). The commit value is built in X0 before the copy, so that the
// copy can use every scratch register. The section is amd64's only, in a
// table of its own (pairText, pairDescs: here_move_linux_amd64.go), read
// through PAIRPROLOGUE.
#define PAIRPROLOGUE(sec, noarea) \
	AREA(noarea); \
	MOVQ	·pairDescs+((sec)*8)(SB), rDesc; \
	MOVLQSX	·hot+hotState_idxOff(SB), rIdxOff; \
	MOVQ	·hot+hotState_stopBase(SB), rStops; \
	XORL	rAborts, rAborts

// COPY_COMMIT16 ends a move-copy section: it copies DX bytes from R12 to
// DI, in whole 8-byte words and then bytes (rTmp is scratch; a value with
// pointers is 8-aligned and a multiple of 8 long, so every pointer is
// copied whole), and commits the two heads in X0 to (rTop) with one 16-byte
// store. It defines the labels copy8, copybytes and commit.
#define COPY_COMMIT16 \
copy8: \
	CMPQ	DX, $8; \
	JB	copybytes; \
	MOVQ	(R12), rTmp; \
	MOVQ	rTmp, (DI); \
	ADDQ	$8, R12; \
	ADDQ	$8, DI; \
	SUBQ	$8, DX; \
	JMP	copy8; \
copybytes: \
	TESTQ	DX, DX; \
	JZ	commit; \
	MOVB	(R12), rTmp; \
	MOVB	rTmp, (DI); \
	INCQ	R12; \
	INCQ	DI; \
	DECQ	DX; \
	JMP	copybytes; \
commit: \
	DELAY(delay); \
	MOVOU	X0, (rTop); \
	RET

#define rLP  R13 // list move-copy: the ListPair
#define rOut R14 // list move-copy: dst
#define LISTMOVECOPY(sec, noarea) \
	MOVQ	d+0(FP), rLP; \
	MOVQ	dst+8(FP), rOut; \
	PAIRPROLOGUE(sec, noarea); \
	ARM(noseq); \
	IN_RANGE(noseq, stopped); \
	IMULQ	ListPair_Stride(rLP), rIdx; \
	ADDQ	ListPair_Base(rLP), rIdx; \
	MOVQ	(rTop), R12; \
	CMPQ	R12, $-1; \
	JEQ	failed; \
	MOVQ	ListPair_LinksB(rLP), SI; \
	ADDQ	rTop, SI; \
	MOVQ	8(rTop), DX; \
	MOVQ	DX, (SI)(R12*8); \
	MOVQ	ListPair_LinksA(rLP), SI; \
	ADDQ	rTop, SI; \
	MOVQ	(SI)(R12*8), SI; \
	MOVQ	SI, X0; \
	MOVQ	R12, X1; \
	PUNPCKLQDQ	X1, X0; \
	MOVQ	ListPair_Size(rLP), DX; \
	IMULQ	DX, R12; \
	ADDQ	ListPair_Values(rLP), R12; \
	MOVQ	rOut, DI; \
	COPY_COMMIT16

// func rseqListMoveCopy(d *ListPair, dst unsafe.Pointer) uint32
TEXT ·rseqListMoveCopy(SB), NOSPLIT|NOFRAME, $0-20
	MOVL	$const_OK, ret+16(FP)
	LISTMOVECOPY(const_psecRseqListMoveCopy, noarea)
	RAW_CMP_EXITS(ret+16(FP))

// func ListMoveCopy(d *ListPair, dst unsafe.Pointer) Status
// A size above MaxMemcpy goes to the Go side, which panics.
TEXT ·ListMoveCopy(SB), NOSPLIT|NOFRAME, $0-20
	ON_SWITCH
	MOVQ	d+0(FP), rLP
	CMPQ	ListPair_Size(rLP), $const_MaxMemcpy
	JA	slow
	MOVL	$const_OK, ret+16(FP)
	LISTMOVECOPY(const_psecListMoveCopy, slow)
	SLOW_EXITS(·listMoveCopySlow(SB))
failed:
	EXIT(const_CmpFailed, ret+16(FP))

DATA ·pairText+(const_psecRseqListMoveCopy*8)(SB)/8, $·rseqListMoveCopy(SB)
DATA ·pairText+(const_psecListMoveCopy*8)(SB)/8, $·ListMoveCopy(SB)
GLOBL ·pairText(SB), NOPTR|RODATA, $(const_nPairSections*8)

// ==== end of the sections on the current slot
