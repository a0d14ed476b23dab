// Critical sections for linux/arm64. Exactly one of three files includes
// this header, after defining the variant hooks DELAY(label),
// ADD_COMMIT(label, val, addr) and FORCE_ABORT(label):
//
//	rseq_linux_arm64.s        production: the hooks are empty or one add
//	rseq_delay_linux_arm64.s  -tags rseqdelay: a spin before every commit
//	rseq_abort_linux_arm64.s  -tags rseqabort: every attempt aborts
//
// Routines without sections are in thread_linux_arm64.s, assembled once.
// The shape of a section, the scan that finds its three addresses and the
// rules for adding one are those of sections_amd64.h; what differs here:
//
//   - the markers are instruction words: START and POST are MOVZ XZR, #imm
//     (a write to the zero register, which does nothing) with the immediates
//     of startMark and postMark; the signature (0xd428bc00, BRK #0x45e0,
//     glibc's and librseq's) is the instruction word before every abort
//     handler. The scan accepts them only at 4-byte aligned offsets.
//   - the area comes from TPIDR_EL0 (AREA in asm_arm64.h).
//   - compares are ldr/sub/cbnz, as in librseq.
//
// # Memory ordering (arm64 is weakly ordered; the VM's TCG runs it on a
// strongly ordered host, so this argument, not the tests, is the proof)
//
// Between sections on one slot: a slot is used by one thread at a time.
// With cpu_id slots every section on a slot runs on that CPU, and a CPU
// sees its own stores in program order. With mm_cid slots a cid passes
// from one thread to the next through the scheduler: the old holder is
// switched out (a full barrier under the runqueue lock) before the kernel
// frees its cid, and the new holder takes it with a fully ordered atomic
// before it returns to user space; barriers on arm64 are cumulative, so
// every store of the old holder's sections is visible to the new holder's.
// Plain loads and stores therefore suffice for the slot's own words (the
// counter of an add, the head of a list).
//
// Against the slow path (stop.go): a slow path sets the stop word with a
// fully ordered CAS and fences: membarrier's RSEQ command runs smp_mb() on
// every CPU it interrupts and restarts the section running there, and the
// system call is a full barrier for the caller. So a section either
// committed before the fence (its commit visible to the slow path, which
// reads after the fence) or it aborts, or it starts after the barrier on
// its CPU and sees the stop word set. The slow path then works with plain
// stores and releases the slot with a store-release of zero (Go's
// atomic.StoreUint32, STLRW). Every section reads the stop word with a
// load-acquire (LDARW in STOPCHECK): a section that sees the word clear
// must also see everything the slow path wrote before clearing it. A plain
// load would let the section's later loads of the slot's data be satisfied
// before the stop-word load (load-load reordering), from memory the slow
// path had not finished writing, and the commit would then undo the slow
// path's work (a counter Reset, a steal).
//
// Towards readers on other slots: structures publish through a commit data
// that goroutines on other CPUs read without taking the slot (ring buffer
// consumers load a ring's tail atomically, then read the entries below it;
// a list's links are read after its head). The compare-and-store commits
// (CmpStore, CmpStoreStore, CmpMemcpyStore) are therefore store-releases
// (STLR): the try-store of CmpStoreStore, the copy of CmpMemcpyStore and
// the caller's plain Go writes before the call are visible before the
// committed word is, to any reader that loads it with acquire (Go's atomic
// loads are LDAR). AddInt64's commit and ListPop's head store publish
// nothing but themselves (counters are summed approximately; a popped node
// is handed to the calling goroutine only, and the new head is read by
// later sections on the slot or by slow paths after a fence), so they are
// plain stores.
//
// The arming store (area->rseq_cs) and the loads of cpu_id and mm_cid need
// no barrier: the kernel reads and writes them for this same thread on its
// way in and out of the kernel, which is program order on one CPU.

#include "asm_arm64.h"

// Common registers of every section, besides rArea, rIdx, rIdxOff and rTmp.
#define rDesc   R4  // this section's struct rseq_cs
#define rStops  R5  // the stop words: hot.stopBase
#define rAborts R6  // aborts of this call so far
#define rSlots  R19 // hot.slots, the bound of the slot index
#define rSpin   R16 // DELAY's counter (rseqdelay build)

// MOVZ XZR, #startMark / #postMark: instructions that do nothing, marking
// the start and the post-commit address. startMark and postMark are the
// whole instruction words.
#define START_MARKER WORD $const_startMark
#define POST_MARKER  WORD $const_postMark

// The 4 bytes before every abort handler must be the signature the area
// was registered with (glibc's, on aarch64).
#define SIGNATURE WORD $const_Signature

// PROLOGUE sets up a call, once, before retry: rArea (or a jump to noarea),
// rDesc = the descriptor of section sec (its address in descTab, taken, not
// loaded), rIdxOff, rStops, rSlots (all three from the one line of ·hot)
// and rAborts = 0. TABLE_PROLOGUE loads the descriptor's address from a
// table of its own instead (metrics_arm64.h).
#define PROLOGUE(sec, noarea) \
	COMMON_PROLOGUE(noarea); \
	MOVD	$·descTab+((sec)*rseqCS__size)(SB), rDesc
#define TABLE_PROLOGUE(table, sec, noarea) \
	COMMON_PROLOGUE(noarea); \
	MOVD	table+((sec)*8)(SB), rDesc
#define COMMON_PROLOGUE(noarea) \
	HOT; \
	AREA(noarea); \
	IDXOFF; \
	MOVD	hotState_stopBase(rHot), rStops; \
	MOVWU	hotState_slots(rHot), rSlots; \
	MOVD	ZR, rAborts

// ARM starts an attempt (label retry): it stores the descriptor in the
// area's rseq_cs, from which on the kernel sends the thread to abort instead
// of resuming it after preemption, migration or a signal; marks the start;
// and loads the slot index into rIdx, or jumps to noseq. In the rseqabort
// build it jumps to abort right away.
#define ARM(noseq) \
retry: \
	MOVD	rDesc, const_areaRseqCS(rArea); \
	START_MARKER; \
	READ_INDEX(noseq); \
	FORCE_ABORT(abort)

// STOPCHECK diverts to stopped when the slot in rIdx is stopped by a slow
// path (one stop word per cache line). The load is a load-acquire: see the
// ordering argument above.
#define STOPCHECK(stopped) \
	ADD	rIdx<<const_cacheLineShift, rStops, rTmp; \
	LDARW	(rTmp), rTmp; \
	CBNZW	rTmp, stopped

// ON_SLOT: the thread must be on the slot the caller named (rSlot), and the
// slot must not be stopped. A mismatch jumps to moved, which checks the
// index's range (MOVED_EXIT) before it reports Moved.
#define ON_SLOT(moved, stopped) \
	CMP	rSlot, rIdx; \
	BNE	moved; \
	STOPCHECK(stopped)

// MOVED_EXIT(noseq), first at every moved exit of a section with ON_SLOT:
// an index at or past the slot count goes to noseq, the slow path, instead
// of Moved, which would send the caller round its CurrentSlot-and-retry
// loop forever (see sections_amd64.h). rIdx and rSlots still hold the index
// and hot.slots there.
#define MOVED_EXIT(noseq) \
	CMPW	rSlots, rIdx; \
	BHS	noseq

// IN_RANGE: for sections on the current slot, whatever it is; an index past
// the slots (a kernel with more CPUs than it said) takes the slow path.
#define IN_RANGE(noseq, stopped) \
	CMPW	rSlots, rIdx; \
	BHS	noseq; \
	STOPCHECK(stopped)

// COMMIT ends the section with the plain store val -> (addr) and marks the
// post-commit address. addr is a register.
#define COMMIT(val, addr) \
	DELAY(delay); \
	MOVD	val, (addr); \
	POST_MARKER

// COMMIT_RELEASE ends the section with the store-release val -> (addr).
#define COMMIT_RELEASE(val, addr) \
	DELAY(delay); \
	STLR	val, (addr); \
	POST_MARKER

// COMMIT_ADD ends the section with *(addr) += val: a load, an add and the
// store that commits.
#define COMMIT_ADD(val, addr) \
	ADD_COMMIT(delay, val, addr); \
	POST_MARKER

// ABORT_HANDLER is the signature and the abort handler: it counts the abort
// (ReadStats; an exclusive-access loop, as arm64 before v8.1 has no atomic
// add), retries below abortLimit aborts in this call, and falls through to
// what follows after that many.
#define ABORT_HANDLER \
	SIGNATURE; \
abort: \
	MOVD	$·abortCount(SB), R15; \
abortinc: \
	LDAXR	(R15), R16; \
	ADD	$1, R16, R16; \
	STLXR	R16, (R15), R17; \
	CBNZW	R17, abortinc; \
	ADD	$1, rAborts, rAborts; \
	CMP	$const_abortLimit, rAborts; \
	BLO	retry

// EXIT returns status in st.
#define EXIT(status, st) \
	MOVW	$status, rTmp; \
	MOVW	rTmp, st; \
	RET

// RAW_EXITS: the raw functions (rseqXxx) report every outcome as a status,
// for the slow paths and the tests; failed, where a section compares, is the
// function's own.
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

// SLOW_EXITS: the exported functions (Xxx) return OK, CmpFailed and Moved
// themselves and tail-jump, with their arguments untouched in the frame and
// the link register as they got it, to the Go function fn for everything
// else: the Atomic backend and no area (label slow), no rseq on this
// thread, a stopped slot, the abort bound.
#define RAW_CMP_EXITS(st) \
	RAW_EXITS(st); \
failed: \
	EXIT(const_CmpFailed, st)

// CMP_EXITS: the exported compare sections' own exits.
#define CMP_EXITS(st) \
failed: \
	EXIT(const_CmpFailed, st); \
moved: \
	MOVED_EXIT(noseq); \
	EXIT(const_Moved, st)

#define SLOW_EXITS(fn) \
	ABORT_HANDLER; \
slow: \
noseq: \
stopped: \
	JMP	fn

// The backend switch at the top of every exported function without a slot
// argument: hot.nslots is 0 until the RSEQ backend is selected, then
// Slots().
#define IF_ATOMIC(slow) \
	MOVD	·hot+hotState_nslots(SB), rTmp; \
	CBZ	rTmp, slow

// SLOT_ARG is the exported compare sections' entry: the slot (an int) goes
// to rSlot, and one compare with hot.nslots sends both the Atomic backend
// (nslots 0) and a slot out of range to slow, where the Go side panics
// naming a bad slot. The raw functions load their uint32 slot with one
// MOVWU.
#define SLOT_ARG \
	MOVD	slot+0(FP), rSlot; \
	MOVD	·hot+hotState_nslots(SB), rTmp; \
	CMP	rTmp, rSlot; \
	BHS	slow

// The arguments, in the registers the section bodies read. The compare
// sections share rSlot, rV (the word compared and committed) and rExpect.
#define rSlot   R7
#define rV      R8
#define rExpect R9
#define rNew    R10 // the value committed to rV

// ADDINT64(sec, noarea) (not ADD, the instruction): *(rP + rIdx*rStride) += rDelta, on the current slot.
#define rP      R8
#define rStride R7
#define rDelta  R9
#define ADDINT64(sec, noarea) \
	MOVD	p+0(FP), rP; \
	MOVD	stride+8(FP), rStride; \
	MOVD	delta+16(FP), rDelta; \
	PROLOGUE(sec, noarea); \
	ARM(noseq); \
	IN_RANGE(noseq, stopped); \
	MUL	rStride, rIdx, rIdx; \
	ADD	rP, rIdx, rIdx; \
	COMMIT_ADD(rDelta, rIdx)

// CMPSTORE(sec, noarea): if *rV == rExpect { *rV = rNew } (release).
#define CMPSTORE(sec, noarea) \
	MOVD	v+8(FP), rV; \
	MOVD	expect+16(FP), rExpect; \
	MOVD	newv+24(FP), rNew; \
	PROLOGUE(sec, noarea); \
	ARM(noseq); \
	ON_SLOT(moved, stopped); \
	MOVD	(rV), rTmp; \
	SUB	rExpect, rTmp, rTmp; \
	CBNZ	rTmp, failed; \
	COMMIT_RELEASE(rNew, rV)

// CMPSTORESTORE(sec, noarea): if *rV == rExpect { *rV2 = rNew2 (try-store); *rV =
// rNew (release, so the try-store is visible first) }.
#define rV2   R11
#define rNew2 R12
#define CMPSTORESTORE(sec, noarea) \
	MOVD	v+8(FP), rV; \
	MOVD	expect+16(FP), rExpect; \
	MOVD	v2+24(FP), rV2; \
	MOVD	new2+32(FP), rNew2; \
	MOVD	newv+40(FP), rNew; \
	PROLOGUE(sec, noarea); \
	ARM(noseq); \
	ON_SLOT(moved, stopped); \
	MOVD	(rV), rTmp; \
	SUB	rExpect, rTmp, rTmp; \
	CBNZ	rTmp, failed; \
	MOVD	rNew2, (rV2); \
	COMMIT_RELEASE(rNew, rV)

// CMPMEMCPYSTORE(sec, noarea): if *rV == rExpect { copy n bytes from src to dst;
// *rV = rNew (release, so the copy is visible first) }. dst, src and n are
// read from the frame inside the section, so a retry starts the copy over.
// It moves 8 bytes at a time, then single bytes; an abort in the middle
// leaves a partial copy behind dst, which is harmless because only the
// commit store publishes it.
#define rDst R11
#define rSrc R12
#define rLen R13
#define CMPMEMCPYSTORE(sec, noarea) \
	MOVD	v+8(FP), rV; \
	MOVD	expect+16(FP), rExpect; \
	MOVD	newv+48(FP), rNew; \
	PROLOGUE(sec, noarea); \
	ARM(noseq); \
	ON_SLOT(moved, stopped); \
	MOVD	(rV), rTmp; \
	SUB	rExpect, rTmp, rTmp; \
	CBNZ	rTmp, failed; \
	MOVD	dst+24(FP), rDst; \
	MOVD	src+32(FP), rSrc; \
	MOVD	n+40(FP), rLen; \
loop8: \
	CMP	$8, rLen; \
	BLO	tail; \
	MOVD.P	8(rSrc), rTmp; \
	MOVD.P	rTmp, 8(rDst); \
	SUB	$8, rLen, rLen; \
	B	loop8; \
tail: \
	CBZ	rLen, commit; \
	MOVBU.P	1(rSrc), rTmp; \
	MOVB.P	rTmp, 1(rDst); \
	SUB	$1, rLen, rLen; \
	B	tail; \
commit: \
	COMMIT_RELEASE(rNew, rV)

// LISTPOP(sec, noarea): rNode = *rV (the head); if rNode == rSentinel -> failed;
// *rV = rNext[rNode] (plain: see the ordering argument).
#define rNext     R11
#define rSentinel R12
#define rNode     R13
#define rLink     R14
#define LISTPOP(sec, noarea) \
	MOVD	head+8(FP), rV; \
	MOVD	next+16(FP), rNext; \
	MOVD	sentinel+24(FP), rSentinel; \
	PROLOGUE(sec, noarea); \
	ARM(noseq); \
	ON_SLOT(moved, stopped); \
	MOVD	(rV), rNode; \
	SUB	rSentinel, rNode, rTmp; \
	CBZ	rTmp, failed; \
	MOVD	(rNext)(rNode<<3), rLink; \
	COMMIT(rLink, rV)

// The functions: a raw one and an exported one around each section macro.
// The blocks have the same shape on purpose (the duplicates tool pairs them
// by shape): only what differs is written out (symbol, frame size, section
// index, slow path, result offsets). They also read like sections_amd64.h's,
// as do here_arm64.h's and metrics_arm64.h's like their amd64 headers: the
// macros have one name per meaning on both architectures. They stay apart
// because the two differ in where the OK status is written (amd64 stores it
// before the section, whose commit must end in RET for its scanner).

// func rseqAdd(p unsafe.Pointer, stride uintptr, delta int64) uint32
TEXT ·rseqAdd(SB), NOSPLIT|NOFRAME, $0-28
	ADDINT64(const_secRseqAdd, noarea)
	EXIT(const_OK, ret+24(FP))
	RAW_EXITS(ret+24(FP))

// func AddInt64(p unsafe.Pointer, stride uintptr, delta int64)
TEXT ·AddInt64(SB), NOSPLIT|NOFRAME, $0-24
	IF_ATOMIC(slow)
	ADDINT64(const_secAddInt64, slow)
	RET
	SLOW_EXITS(·addInt64Slow(SB))

// func rseqCmpStore(slot uint32, v *uint64, expect, newv uint64) uint32
TEXT ·rseqCmpStore(SB), NOSPLIT|NOFRAME, $0-36
	MOVWU	slot+0(FP), rSlot
	CMPSTORE(const_secRseqCmpStore, noarea)
	EXIT(const_OK, ret+32(FP))
	RAW_CMP_EXITS(ret+32(FP))

// func CmpStore(slot int, v *uint64, expect, newv uint64) Status
TEXT ·CmpStore(SB), NOSPLIT|NOFRAME, $0-36
	SLOT_ARG
	CMPSTORE(const_secCmpStore, slow)
	EXIT(const_OK, ret+32(FP))
	SLOW_EXITS(·cmpStoreSlow(SB))
	CMP_EXITS(ret+32(FP))

// func rseqCmpStoreStore(slot uint32, v *uint64, expect uint64, v2 *uint64, new2, newv uint64) uint32
TEXT ·rseqCmpStoreStore(SB), NOSPLIT|NOFRAME, $0-52
	MOVWU	slot+0(FP), rSlot
	CMPSTORESTORE(const_secRseqCmpStoreStore, noarea)
	EXIT(const_OK, ret+48(FP))
	RAW_CMP_EXITS(ret+48(FP))

// func CmpStoreStore(slot int, v *uint64, expect uint64, v2 *uint64, new2, newv uint64) Status
TEXT ·CmpStoreStore(SB), NOSPLIT|NOFRAME, $0-52
	SLOT_ARG
	CMPSTORESTORE(const_secCmpStoreStore, slow)
	EXIT(const_OK, ret+48(FP))
	SLOW_EXITS(·cmpStoreStoreSlow(SB))
	CMP_EXITS(ret+48(FP))

// func rseqCmpMemcpyStore(slot uint32, v *uint64, expect uint64, dst, src unsafe.Pointer, n uintptr, newv uint64) uint32
TEXT ·rseqCmpMemcpyStore(SB), NOSPLIT|NOFRAME, $0-60
	MOVWU	slot+0(FP), rSlot
	CMPMEMCPYSTORE(const_secRseqCmpMemcpyStore, noarea)
	EXIT(const_OK, ret+56(FP))
	RAW_CMP_EXITS(ret+56(FP))

// func CmpMemcpyStore(slot int, v *uint64, expect uint64, dst, src unsafe.Pointer, n uintptr, newv uint64) Status
// n above MaxMemcpy goes to the Go side, which panics.
TEXT ·CmpMemcpyStore(SB), NOSPLIT|NOFRAME, $0-60
	MOVD	n+40(FP), rTmp
	CMP	$const_MaxMemcpy, rTmp
	BHI	slow
	SLOT_ARG
	CMPMEMCPYSTORE(const_secCmpMemcpyStore, slow)
	EXIT(const_OK, ret+56(FP))
	SLOW_EXITS(·cmpMemcpyStoreSlow(SB))
	CMP_EXITS(ret+56(FP))

// func rseqListPop(slot uint32, head *uint64, next unsafe.Pointer, sentinel uint64) (node uint64, st uint32)
TEXT ·rseqListPop(SB), NOSPLIT|NOFRAME, $0-44
	MOVWU	slot+0(FP), rSlot
	LISTPOP(const_secRseqListPop, noarea)
	MOVD	rNode, node+32(FP)
	EXIT(const_OK, st+40(FP))
	RAW_EXITS(st+40(FP))
failed:
	MOVD	rNode, node+32(FP)
	EXIT(const_CmpFailed, st+40(FP))

// func ListPop(slot int, head *uint64, next unsafe.Pointer, sentinel uint64) (uint64, Status)
TEXT ·ListPop(SB), NOSPLIT|NOFRAME, $0-44
	SLOT_ARG
	LISTPOP(const_secListPop, slow)
	MOVD	rNode, ret+32(FP)
	EXIT(const_OK, ret1+40(FP))
	SLOW_EXITS(·listPopSlow(SB))
failed:
	MOVD	rNode, ret+32(FP)
	EXIT(const_CmpFailed, ret1+40(FP))
moved:
	MOVED_EXIT(noseq)
	MOVD	ZR, ret+32(FP)
	EXIT(const_Moved, ret1+40(FP))

#include "here_arm64.h"
#include "metrics_arm64.h"
#include "ring_arm64.h"
#include "objpool_arm64.h"

// The functions whose sections get descriptors, each at its sec... index.
// The table reads like sections_amd64.h's; it stays per architecture
// because an architecture may lack a section another has.
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
// The sections on the current slot (here_arm64.h).
DATA ·csText+(const_secRseqStackPop*8)(SB)/8, $·rseqStackPop(SB)
DATA ·csText+(const_secRseqStackPush*8)(SB)/8, $·rseqStackPush(SB)
DATA ·csText+(const_secRseqListPopHere*8)(SB)/8, $·rseqListPopHere(SB)
DATA ·csText+(const_secRseqListPushHere*8)(SB)/8, $·rseqListPushHere(SB)
DATA ·csText+(const_secStackPop*8)(SB)/8, $·StackPop(SB)
DATA ·csText+(const_secStackPush*8)(SB)/8, $·StackPush(SB)
DATA ·csText+(const_secListPopHere*8)(SB)/8, $·ListPopHere(SB)
DATA ·csText+(const_secListPushHere*8)(SB)/8, $·ListPushHere(SB)
GLOBL ·csText(SB), NOPTR|RODATA, $(const_nSections*8)
