// Critical sections for linux/amd64. Exactly one of three files includes
// this header, after defining the variant hooks DELAY(label),
// ADD_COMMIT(label, val, addr) and FORCE_ABORT(label):
//
//	rseq_linux_amd64.s        production: the hooks are empty or one add
//	rseq_delay_linux_amd64.s  -tags rseqdelay: a spin before every commit
//	rseq_abort_linux_amd64.s  -tags rseqabort: every attempt aborts
//
// Routines without sections are in thread_linux_amd64.s, assembled once.
//
// # The shape of a section
//
//	        (the OK status stored)               // before: nothing but RET follows the commit
//	        PROLOGUE                             // area, descriptor, common registers
//	retry:  area->rseq_cs = &descriptor          // ARM ...
//	start:  if area->cpu_id < 0 -> noseq         // thread not registered
//	        rIdx = *(area + idxOff)              // mm_cid or cpu_id
//	        slot check, stop word check          // ON_SLOT or IN_RANGE: divert before any store
//	        ... loads, compares, try-stores, results to the frame ...
//	        ONE commit store                     // COMMIT or COMMIT_ADD ...
//	post:   RET                                  // ... which end with it
//	        ud1 with the signature               // ABORT_HANDLER
//	abort:  count; retry, or give up after abortLimit in a row
//
// No marker is executed, and the descriptors are not assembled here: at
// init the Go side (initDescriptors, textscan_x86.go) scans the first 1024
// bytes of each function in the csText table for the first signature,
// checks that the byte before it is the RET at the post-commit address and
// that exactly one arming store (ARM's MOVQ) comes before, whose end is the
// start, builds each descriptor in descTab from those offsets, and runs
// every raw section once (selfCheck). Any mismatch selects the Atomic
// backend and says why.
//
// What a section reads besides its arguments and the area is in one
// 32-byte line, ·hot (hotState in rseq_linux.go; offsets hotState_NAME from
// go_asm.h), and its descriptor's address is a LEAQ into ·descTab. The stop
// words are packed, 4 bytes apart (stopSpacingRSEQ), read with the slot
// index scaled into the address.
//
// # Adding a section
//
//  1. Go: in rseq_linux.go a constant secName before nSections (it
//     indexes descs and csText) and the declaration (//go:noescape); the
//     generic version, nameGeneric, in sections_generic.go; a stub in
//     rseq_noasm.go; a case in TestAsmMatchesGeneric (generic_test.go) and in
//     selfCheckOnce. An exported section tail-jumps to nameSlow (cs.go).
//  2. Here: a macro NAME(sec, noarea) for the section, used by both the raw
//     and the exported function (see CMPSTORE): it loads the arguments
//     (but the slot) into registers other than the common ones below, then
//
//	PROLOGUE(sec, noarea)           // once per call
//	ARM(noseq)                      // defines retry
//	ON_SLOT(moved, stopped)         // or IN_RANGE(noseq, stopped)
//	... its loads and compares, jumping to failed; any result besides
//	    the status stored to the frame here, before the commit ...
//	COMMIT(val, addr)               // or COMMIT_ADD(val, addr): the commit, then RET
//
//     and the two TEXT blocks:
//
//	rseqName: MOVL slot, MOVL $const_OK to the status, NAME(const_secRseqName, noarea),
//	          RAW_CMP_EXITS(st) (RAW_EXITS without a compare)
//	Name:     SLOT_ARG (or ON_SWITCH without a slot argument), MOVL $const_OK
//	          to the status, NAME(const_secName, slow),
//	          SLOW_EXITS(·nameSlow(SB)), CMP_EXITS(st)
//
//     The OK status goes to the frame before the section because nothing
//     may follow the commit but COMMIT's RET: that RET is how the scanner
//     finds the post-commit address. Every other exit writes its own.
//
//  3. Its entry in the csText table at the end of this file.
//
// Rules: one section per TEXT block (labels are local to it; the macros
// define retry, abort and delay); ARM is the only store to rseq_cs and
// nothing but COMMIT's RET follows the commit (the scanner checks both); no
// CALL (the goroutine could change threads); NOSPLIT|NOFRAME; every
// store before the commit is a try-store that nothing reads unless the
// commit publishes it; the registers a retry needs (the arguments loaded
// before PROLOGUE) are not written inside the section; per-slot memory
// never holds Go pointers (no write barriers here). go vet's asmdecl reads
// .s files only, not this header: check the frame offsets and sizes against
// the Go declarations by hand (the tests catch a wrong one).

#include "asm_amd64.h"

// Common registers of every section, besides rArea, rIdx and rIdxOff. BP and
// R15 are left alone (frame pointer; R15 is clobbered by global accesses
// when dynamic linking).
#define rTmp    BX  // scratch (STOPCHECK; DELAY's counter in the rseqdelay build)
#define rDesc   R8  // this section's struct rseq_cs
#define rStops  R10 // the stop words: hot.stopBase
#define rAborts R11 // aborts of this call so far

// ud1 Signature(%rip), %edi: the 4 bytes before every abort handler must be
// the signature the area was registered with (glibc's, on x86).
#define SIGNATURE BYTE $0x0f; BYTE $0xb9; BYTE $0x3d; LONG $const_Signature

// PROLOGUE sets up a call, once, before retry: rArea (or a jump to noarea
// when the thread has no area yet), rDesc = the descriptor of section sec (a
// const_sec... index into descTab: an address, not a load), rIdxOff, rStops
// and rAborts = 0. What it loads is in ·hot's one line.
#define PROLOGUE(sec, noarea) \
	AREA(noarea); \
	LEAQ	·descTab+((sec)*32)(SB), rDesc; \
	MOVLQSX	·hot+hotState_idxOff(SB), rIdxOff; \
	MOVQ	·hot+hotState_stopBase(SB), rStops; \
	XORL	rAborts, rAborts

// ARM starts an attempt (label retry): it stores the descriptor in the
// area's rseq_cs, from which on the kernel sends the thread to abort instead
// of resuming it after preemption, migration or a signal (the section starts
// right after this store: the scanner finds the start by its encoding, MOVQ
// R8, 8(AX)); and loads the slot index into rIdx, or jumps to noseq. In the
// rseqabort build it jumps to abort right away.
#define ARM(noseq) \
retry: \
	MOVQ	rDesc, const_areaRseqCS(rArea); \
	READ_INDEX(noseq); \
	FORCE_ABORT(abort)

// STOPCHECK diverts to stopped when the slot in rIdx is stopped by a slow
// path. The stop words are packed (stopSpacingRSEQ, 4 bytes apart), so the
// index scales straight into the address: one compare, no shift into a
// scratch register (which, with its dependent load, cost a quarter of
// AddInt64's time beyond the call; packed, the check costs about as much as
// none, measured with BenchmarkAdd).
//
// Every section checks it, AddInt64's too: it is what keeps sections out of
// a slot a slow path owns. The fence alone does not: membarrier restarts
// the sections in flight when it runs, but a section that starts after it
// would commit a plain add or store on top of the slow path's work (a
// thread that cannot use rseq adding atomically under the stop word, a
// counter reset swapping the words) and lose one of the two.
#define STOPCHECK(stopped) \
	CMPL	(rStops)(rIdx*const_stopSpacingRSEQ), $0; \
	JNE	stopped

// ON_SLOT: the thread must be on the slot the caller named (rSlot), and the
// slot must not be stopped. A mismatch jumps to moved, which checks the
// index's range (MOVED_EXIT) before it reports Moved.
#define ON_SLOT(moved, stopped) \
	CMPQ	rIdx, rSlot; \
	JNE	moved; \
	STOPCHECK(stopped)

// MOVED_EXIT(noseq), first at every moved exit of a section with ON_SLOT:
// an index at or past the slot count (more CPUs than slots, or an mm_cid
// above them) goes to noseq, the slow path, instead of Moved. Such a thread
// never is on any slot a caller can name (slots are below the count, and
// CurrentSlot gives it one of those), so Moved would send the caller round
// its CurrentSlot-and-retry loop forever. The check is off the fast path:
// rIdx still holds the index there, and an equal index is in range because
// the slot was checked against the count before the section.
#define MOVED_EXIT(noseq) \
	CMPL	rIdx, ·hot+hotState_slots(SB); \
	JAE	noseq

// IN_RANGE: for sections on the current slot, whatever it is; an index past
// the slots (a kernel with more CPUs than it said) takes the slow path.
#define IN_RANGE(noseq, stopped) \
	CMPL	rIdx, ·hot+hotState_slots(SB); \
	JAE	noseq; \
	STOPCHECK(stopped)

// COMMIT ends the section with the store val -> addr (val must not be rTmp,
// which DELAY uses) and returns: the RET is the post-commit address.
#define COMMIT(val, addr) \
	DELAY(delay); \
	MOVQ	val, addr; \
	RET

// COMMIT_ADD ends the section with *addr += val (one ADDQ in production)
// and returns.
#define COMMIT_ADD(val, addr) \
	ADD_COMMIT(delay, val, addr); \
	RET

// ABORT_HANDLER is the signature and the abort handler: it counts the abort
// (ReadStats), retries below abortLimit aborts in this call, and falls
// through to what follows after that many.
#define ABORT_HANDLER \
	SIGNATURE; \
abort: \
	LOCK; INCQ ·abortCount(SB); \
	INCL	rAborts; \
	CMPL	rAborts, $const_abortLimit; \
	JB	retry

// EXIT returns status in st.
#define EXIT(status, st) \
	MOVL	$status, st; \
	RET

// RAW_EXITS: the raw functions (rseqXxx) report every outcome as a status,
// for the slow paths and the tests. A section that compares ends with
// RAW_CMP_EXITS, or defines failed itself.
#define RAW_EXITS(st) \
	ABORT_HANDLER; \
	EXIT(const_stAborted, st); \
noarea: \
	EXIT(const_stNeedRegister, st); \
noseq: \
	EXIT(const_stNoRSEQ, st); \
moved: \
	MOVED_EXIT(noseq); \
	EXIT(const_Moved, st); \
stopped: \
	EXIT(const_stStopped, st)

#define RAW_CMP_EXITS(st) \
	RAW_EXITS(st); \
failed: \
	EXIT(const_CmpFailed, st)

// SLOW_EXITS: the exported functions (Xxx) return OK, CmpFailed and Moved
// themselves (CMP_EXITS) and tail-jump, with their arguments untouched in
// the frame, to the Go function fn for everything else: the Atomic backend
// and no area yet (label slow, jumped to before the prologue), no rseq on
// this thread, a stopped slot, the abort bound.
#define SLOW_EXITS(fn) \
	ABORT_HANDLER; \
slow: \
noseq: \
stopped: \
	JMP	fn

// CMP_EXITS: the exported compare sections' own exits.
#define CMP_EXITS(st) \
failed: \
	EXIT(const_CmpFailed, st); \
moved: \
	MOVED_EXIT(noseq); \
	EXIT(const_Moved, st)

// The arguments, in the registers the section bodies read. The compare
// sections share rSlot, rV (the word compared and committed) and rExpect.
#define rSlot   SI
#define rV      DI
#define rExpect DX
#define rNew    R12 // the value committed to rV

// SLOT_ARG is the exported compare sections' entry: it loads the slot
// argument (an int) into rSlot, and jumps to slow in the Atomic backend or
// when the slot is out of range (the Go side panics): one compare, because
// hot.nslots is 0 until the RSEQ backend is selected. The raw functions load
// their uint32 slot with one MOVL.
#define SLOT_ARG \
	MOVQ	slot+0(FP), rSlot; \
	CMPQ	rSlot, ·hot+hotState_nslots(SB); \
	JAE	slow

// ON_SWITCH is the entry of an exported section without a slot argument:
// it jumps to slow in the Atomic backend (hot.nslots 0).
#define ON_SWITCH \
	CMPQ	·hot+hotState_nslots(SB), $0; \
	JEQ	slow

// Each section below is one macro, used by the raw function and by the
// exported one: it loads the arguments but the slot, runs PROLOGUE(sec,
// noarea), and is the whole section, from retry to the post-commit RET.
// Both functions read the same frame layout (argument names and offsets).

// ADD: *(p + rIdx*stride) += delta, on the current slot.
#define rP      DI
#define rStride SI
#define rDelta  DX
#define ADD(sec, noarea) \
	MOVQ	p+0(FP), rP; \
	MOVQ	stride+8(FP), rStride; \
	MOVQ	delta+16(FP), rDelta; \
	PROLOGUE(sec, noarea); \
	ARM(noseq); \
	IN_RANGE(noseq, stopped); \
	IMULQ	rStride, rIdx; \
	COMMIT_ADD(rDelta, (rP)(rIdx*1))

// CMPSTORE: if *v == expect { *v = newv }.
#define CMPSTORE(sec, noarea) \
	MOVQ	v+8(FP), rV; \
	MOVQ	expect+16(FP), rExpect; \
	MOVQ	newv+24(FP), rNew; \
	PROLOGUE(sec, noarea); \
	ARM(noseq); \
	ON_SLOT(moved, stopped); \
	CMPQ	rExpect, (rV); \
	JNE	failed; \
	COMMIT(rNew, (rV))

// CMPSTORESTORE: if *v == expect { *v2 = new2 (try-store); *v = newv }.
#define rV2   R13
#define rNew2 R14
#define CMPSTORESTORE(sec, noarea) \
	MOVQ	v+8(FP), rV; \
	MOVQ	expect+16(FP), rExpect; \
	MOVQ	v2+24(FP), rV2; \
	MOVQ	new2+32(FP), rNew2; \
	MOVQ	newv+40(FP), rNew; \
	PROLOGUE(sec, noarea); \
	ARM(noseq); \
	ON_SLOT(moved, stopped); \
	CMPQ	rExpect, (rV); \
	JNE	failed; \
	MOVQ	rNew2, (rV2); \
	COMMIT(rNew, (rV))

// CMPMEMCPYSTORE: if *v == expect { copy n bytes from src to dst; *v = newv }.
// dst, src and n are read from the frame inside the section, so a retry
// starts the copy over. It moves 8 bytes at a time, then single bytes; an
// abort in the middle leaves a partial copy behind dst, which is harmless
// because only the commit store publishes it.
#define rDst R13
#define rSrc R14
#define rLen CX // rIdx is free once the slot is checked
#define CMPMEMCPYSTORE(sec, noarea) \
	MOVQ	v+8(FP), rV; \
	MOVQ	expect+16(FP), rExpect; \
	MOVQ	newv+48(FP), rNew; \
	PROLOGUE(sec, noarea); \
	ARM(noseq); \
	ON_SLOT(moved, stopped); \
	CMPQ	rExpect, (rV); \
	JNE	failed; \
	MOVQ	dst+24(FP), rDst; \
	MOVQ	src+32(FP), rSrc; \
	MOVQ	n+40(FP), rLen; \
loop8: \
	CMPQ	rLen, $8; \
	JB	tail; \
	MOVQ	(rSrc), rTmp; \
	MOVQ	rTmp, (rDst); \
	ADDQ	$8, rSrc; \
	ADDQ	$8, rDst; \
	SUBQ	$8, rLen; \
	JMP	loop8; \
tail: \
	TESTQ	rLen, rLen; \
	JZ	commit; \
	MOVB	(rSrc), rTmp; \
	MOVB	rTmp, (rDst); \
	INCQ	rSrc; \
	INCQ	rDst; \
	DECQ	rLen; \
	JMP	tail; \
commit: \
	COMMIT(rNew, (rV))

// LISTPOP: node = *head; if node == sentinel -> failed; *head = next[node].
// The node goes to the result operand out before the compare, so that failed
// returns it too (the sentinel); a retry writes it again.
#define rNext     DX
#define rSentinel R12
#define rNode     R13
#define rLink     R14
#define LISTPOP(sec, noarea, out) \
	MOVQ	head+8(FP), rV; \
	MOVQ	next+16(FP), rNext; \
	MOVQ	sentinel+24(FP), rSentinel; \
	PROLOGUE(sec, noarea); \
	ARM(noseq); \
	ON_SLOT(moved, stopped); \
	MOVQ	(rV), rNode; \
	MOVQ	rNode, out; \
	CMPQ	rNode, rSentinel; \
	JEQ	failed; \
	MOVQ	(rNext)(rNode*8), rLink; \
	COMMIT(rLink, (rV))

// The functions. Each primitive has a raw function and an exported one
// around the same section macro; they differ in their entry and exits only.
// The blocks have the same shape on purpose (the duplicates tool pairs them
// by shape): each is a composition of the macros above, and only what
// differs is written out: symbol, frame size, section index, slow path and
// result offsets, which a macro could not take without hiding the frame
// layout from the reader.

// func rseqAdd(p unsafe.Pointer, stride uintptr, delta int64) uint32
TEXT ·rseqAdd(SB), NOSPLIT|NOFRAME, $0-28
	MOVL	$const_OK, ret+24(FP)
	ADD(const_secRseqAdd, noarea)
	RAW_EXITS(ret+24(FP))

// func AddInt64(p unsafe.Pointer, stride uintptr, delta int64)
TEXT ·AddInt64(SB), NOSPLIT|NOFRAME, $0-24
	ON_SWITCH
	ADD(const_secAddInt64, slow)
	SLOW_EXITS(·addInt64Slow(SB))

// func rseqCmpStore(slot uint32, v *uint64, expect, newv uint64) uint32
TEXT ·rseqCmpStore(SB), NOSPLIT|NOFRAME, $0-36
	MOVL	slot+0(FP), rSlot
	MOVL	$const_OK, ret+32(FP)
	CMPSTORE(const_secRseqCmpStore, noarea)
	RAW_CMP_EXITS(ret+32(FP))

// func CmpStore(slot int, v *uint64, expect, newv uint64) Status
TEXT ·CmpStore(SB), NOSPLIT|NOFRAME, $0-36
	SLOT_ARG
	MOVL	$const_OK, ret+32(FP)
	CMPSTORE(const_secCmpStore, slow)
	SLOW_EXITS(·cmpStoreSlow(SB))
	CMP_EXITS(ret+32(FP))

// func rseqCmpStoreStore(slot uint32, v *uint64, expect uint64, v2 *uint64, new2, newv uint64) uint32
TEXT ·rseqCmpStoreStore(SB), NOSPLIT|NOFRAME, $0-52
	MOVL	slot+0(FP), rSlot
	MOVL	$const_OK, ret+48(FP)
	CMPSTORESTORE(const_secRseqCmpStoreStore, noarea)
	RAW_CMP_EXITS(ret+48(FP))

// func CmpStoreStore(slot int, v *uint64, expect uint64, v2 *uint64, new2, newv uint64) Status
TEXT ·CmpStoreStore(SB), NOSPLIT|NOFRAME, $0-52
	SLOT_ARG
	MOVL	$const_OK, ret+48(FP)
	CMPSTORESTORE(const_secCmpStoreStore, slow)
	SLOW_EXITS(·cmpStoreStoreSlow(SB))
	CMP_EXITS(ret+48(FP))

// func rseqCmpMemcpyStore(slot uint32, v *uint64, expect uint64, dst, src unsafe.Pointer, n uintptr, newv uint64) uint32
TEXT ·rseqCmpMemcpyStore(SB), NOSPLIT|NOFRAME, $0-60
	MOVL	slot+0(FP), rSlot
	MOVL	$const_OK, ret+56(FP)
	CMPMEMCPYSTORE(const_secRseqCmpMemcpyStore, noarea)
	RAW_CMP_EXITS(ret+56(FP))

// func CmpMemcpyStore(slot int, v *uint64, expect uint64, dst, src unsafe.Pointer, n uintptr, newv uint64) Status
// n above MaxMemcpy goes to the Go side, which panics.
TEXT ·CmpMemcpyStore(SB), NOSPLIT|NOFRAME, $0-60
	CMPQ	n+40(FP), $const_MaxMemcpy
	JA	slow
	SLOT_ARG
	MOVL	$const_OK, ret+56(FP)
	CMPMEMCPYSTORE(const_secCmpMemcpyStore, slow)
	SLOW_EXITS(·cmpMemcpyStoreSlow(SB))
	CMP_EXITS(ret+56(FP))

// func rseqListPop(slot uint32, head *uint64, next unsafe.Pointer, sentinel uint64) (node uint64, st uint32)
TEXT ·rseqListPop(SB), NOSPLIT|NOFRAME, $0-44
	MOVL	slot+0(FP), rSlot
	MOVL	$const_OK, st+40(FP)
	LISTPOP(const_secRseqListPop, noarea, node+32(FP))
	RAW_CMP_EXITS(st+40(FP))

// func ListPop(slot int, head *uint64, next unsafe.Pointer, sentinel uint64) (uint64, Status)
TEXT ·ListPop(SB), NOSPLIT|NOFRAME, $0-44
	SLOT_ARG
	MOVL	$const_OK, ret1+40(FP)
	LISTPOP(const_secListPop, slow, ret+32(FP))
	SLOW_EXITS(·listPopSlow(SB))
failed:
	EXIT(const_CmpFailed, ret1+40(FP))
moved:
	MOVED_EXIT(noseq)
	MOVQ	$0, ret+32(FP)
	EXIT(const_Moved, ret1+40(FP))

#include "here_amd64.h"
#include "metrics_amd64.h"
#include "ring_amd64.h"
#include "objpool_amd64.h"
#include "percpu_amd64.h"

// The functions whose sections get descriptors, each at its sec... index.
// DATA entries must come in increasing offset order: keep the order of the
// sec... constants.
DATA ·csText+(const_secRseqAdd*8)(SB)/8, $·rseqAdd(SB)
DATA ·csText+(const_secRseqCmpStore*8)(SB)/8, $·rseqCmpStore(SB)
DATA ·csText+(const_secRseqCmpStoreStore*8)(SB)/8, $·rseqCmpStoreStore(SB)
DATA ·csText+(const_secRseqCmpMemcpyStore*8)(SB)/8, $·rseqCmpMemcpyStore(SB)
DATA ·csText+(const_secRseqListPop*8)(SB)/8, $·rseqListPop(SB)
DATA ·csText+(const_secAddInt64*8)(SB)/8, $·AddInt64(SB)
DATA ·csText+(const_secCmpStore*8)(SB)/8, $·CmpStore(SB)
DATA ·csText+(const_secCmpStoreStore*8)(SB)/8, $·CmpStoreStore(SB)
DATA ·csText+(const_secCmpMemcpyStore*8)(SB)/8, $·CmpMemcpyStore(SB)
DATA ·csText+(const_secListPop*8)(SB)/8, $·ListPop(SB)
// The sections on the current slot (here_amd64.h).
DATA ·csText+(const_secRseqStackPop*8)(SB)/8, $·rseqStackPop(SB)
DATA ·csText+(const_secRseqStackPush*8)(SB)/8, $·rseqStackPush(SB)
DATA ·csText+(const_secRseqListPopHere*8)(SB)/8, $·rseqListPopHere(SB)
DATA ·csText+(const_secRseqListPushHere*8)(SB)/8, $·rseqListPushHere(SB)
DATA ·csText+(const_secStackPop*8)(SB)/8, $·StackPop(SB)
DATA ·csText+(const_secStackPush*8)(SB)/8, $·StackPush(SB)
DATA ·csText+(const_secListPopHere*8)(SB)/8, $·ListPopHere(SB)
DATA ·csText+(const_secListPushHere*8)(SB)/8, $·ListPushHere(SB)
GLOBL ·csText(SB), NOPTR|RODATA, $(const_nSections*8)
