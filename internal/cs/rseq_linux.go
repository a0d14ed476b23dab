//go:build gc && !purego && (amd64 || arm64)

package cs

import (
	"errors"
	"fmt"
	"runtime"
	"unsafe"

	"golang.org/x/sys/unix"
)

// The RSEQ backend's Go side on the platforms with sections (linux/amd64,
// linux/arm64): the primitives' declarations, detection, descriptors, the
// self-check and the fences. What differs by architecture (how a thread
// finds its area) is in rseq_linux_GOARCH.go.

// Implemented in sections_GOARCH.h (the sections) and thread_linux_GOARCH.s.

//go:noescape
func rseqAdd(p unsafe.Pointer, stride uintptr, delta int64) uint32

// AddInt64 adds delta to the int64 at p + s*stride, where s is the current
// slot. In the RSEQ backend it is one critical section ending in a plain add
// to memory; in the Atomic backend a compare-and-swap on the probe's slot,
// or an atomic add on another slot after a failed one (addInt64Probed). It
// always succeeds.
//
// (The exported primitives are defined here and in rseq_noasm.go rather
// than in cs.go: on linux/amd64 and linux/arm64 each is the asm section itself, so that
// callers pay one call, not a Go call wrapping an asm call.)
//
//go:noescape
func AddInt64(p unsafe.Pointer, stride uintptr, delta int64)

// CurrentSlot returns the slot the calling thread should use now. The answer
// is a snapshot: the thread may move right after, which the primitives
// detect (they return Moved). Threads that cannot use rseq get a slot
// derived from the goroutine's stack; in the Atomic backend it is the slot
// of the goroutine's probe (internal/probe), which the Atomic structures
// use and move on contention.
func CurrentSlot() int

// CmpStore does, atomically with respect to every other primitive on slot:
//
//	if *v == expect { *v = newv; return OK }
//	return CmpFailed
//
// It returns Moved, writing nothing, when the calling thread is not on slot.
// v must be slot's memory.
//
//go:noescape
func CmpStore(slot int, v *uint64, expect, newv uint64) Status

// CmpStoreStore does, atomically with respect to every other primitive on
// slot:
//
//	if *v == expect { *v2 = new2; *v = newv; return OK }
//	return CmpFailed
//
// The store to v2 is a try-store: it is visible only with the commit of v
// (or left behind, unpublished, by an aborted attempt). It returns Moved,
// writing nothing, when the calling thread is not on slot.
//
//go:noescape
func CmpStoreStore(slot int, v *uint64, expect uint64, v2 *uint64, new2, newv uint64) Status

// CmpMemcpyStore does, atomically with respect to every other primitive on
// slot:
//
//	if *v == expect { copy n bytes from src to dst; *v = newv; return OK }
//	return CmpFailed
//
// An aborted attempt may leave part of a copy in dst; only the commit of v
// publishes it. n must be at most MaxMemcpy; it panics otherwise. dst must
// be slot's memory and must not hold Go pointers. It returns Moved, writing
// nothing, when the calling thread is not on slot.
//
//go:noescape
func CmpMemcpyStore(slot int, v *uint64, expect uint64, dst, src unsafe.Pointer, n uintptr, newv uint64) Status

// ListPop pops the first node of a per-slot singly linked list of indices,
// atomically with respect to every other primitive on slot:
//
//	node := *head
//	if node == sentinel { return node, CmpFailed }
//	*head = next[node]
//	return node, OK
//
// next points at slot's array of uint64 links; every index reachable from
// head must be within it. Pushing is CmpStoreStore(slot, head, old,
// &next[node], old, node). It returns Moved when the calling thread is not on
// slot.
//
//go:noescape
func ListPop(slot int, head *uint64, next unsafe.Pointer, sentinel uint64) (uint64, Status)

//go:noescape
func rseqCmpStore(slot uint32, v *uint64, expect, newv uint64) uint32

//go:noescape
func rseqCmpStoreStore(slot uint32, v *uint64, expect uint64, v2 *uint64, new2, newv uint64) uint32

//go:noescape
func rseqCmpMemcpyStore(slot uint32, v *uint64, expect uint64, dst, src unsafe.Pointer, n uintptr, newv uint64) uint32

//go:noescape
func rseqListPop(slot uint32, head *uint64, next unsafe.Pointer, sentinel uint64) (node uint64, st uint32)

func rseqCurrent() (idx uint32, st uint32)

func libcProbe(off int64) (errno uintptr)

func emptyAsm()

//go:noescape
func plainAddAsm(p *int64, delta int64)

// Read by the asm; written once by platformInit.
var (
	areaOffset int64   // libc mode: __rseq_offset; pure-Go mode: 0
	idxOff     int64   // offset of the slot index in the area: areaMMCID or areaCPUID
	stopBase   uintptr // = stopWords

	// descs holds the address of each section's descriptor (in descTab),
	// csText the entry address of each function with a section (defined
	// in sections_GOARCH.h), both indexed by the sec constants.
	descs  [nSections]uintptr
	csText [nSections]uintptr

	// descTab holds the descriptors (struct rseq_cs, 32-byte aligned: the
	// linker aligns variables of 32 bytes or more to 32, and
	// initDescriptors checks it), so that a section takes its
	// descriptor's address (amd64: a LEAQ; arm64: an ADRP and an ADD)
	// instead of loading it.
	descTab [nSections]rseqCS
)

// hotState is what a section (amd64, arm64) reads besides its arguments, its
// descriptor and the thread's area, in 32 bytes (one cache line: the linker
// aligns a 32-byte variable to 32 bytes), so that a section touches one line
// of globals, not one per variable. platformInit writes it once from the
// variables above; the asm reads it as ·hot (offsets from go_asm.h,
// hotState_FIELD).
type hotState struct {
	slots      uint32  // nslots, for the sections' bound check on the index
	idxOff     int32   // = idxOff
	areaOffset int64   // = areaOffset
	stopBase   uintptr // = stopWords
	// nslots is 0 until the RSEQ backend is selected, then Slots(): the
	// exported sections' on switch and their bound on the caller's slot
	// in one compare.
	nslots int64
}

var hot hotState

// The functions with a critical section, as indices of descs and csText.
// The asm reads them (const_secRseqAdd, ...); the raw functions come first.
const (
	secRseqAdd = iota
	secRseqCmpStore
	secRseqCmpStoreStore
	secRseqCmpMemcpyStore
	secRseqListPop
	secAddInt64
	secCmpStore
	secCmpStoreStore
	secCmpMemcpyStore
	secListPop
	// The sections on the current slot (here_GOARCH.h), raw then exported.
	secRseqStackPop
	secRseqStackPush
	secRseqListPopHere
	secRseqListPushHere
	secStackPop
	secStackPush
	secListPopHere
	secListPushHere
	nSections
)

// Constants the asm reads through go_asm.h (const_NAME).
const (
	// abortLimit is how many aborts in a row one call of a section takes
	// before it gives up and takes the slow path (a debugger single-stepping
	// through a section aborts every attempt).
	abortLimit = 16

	// Offsets in struct rseq, the thread's area.
	areaCPUID  = 4
	areaRseqCS = 8
	areaMMCID  = 24
	rseqLen    = 32 // the length of struct rseq registered with the kernel

	rseqFlagUnregister = 1 // RSEQ_FLAG_UNREGISTER

	sysRseq = unix.SYS_RSEQ
)

const (
	membarrierCmdQuery                        = 0
	membarrierCmdPrivateExpedited             = 1 << 3
	membarrierCmdRegisterPrivateExpedited     = 1 << 4
	membarrierCmdPrivateExpeditedRseq         = 1 << 7
	membarrierCmdRegisterPrivateExpeditedRseq = 1 << 8
	membarrierCmdFlagCPU                      = 1
)

var mmCIDIndex bool // slots are mm_cids (fence every CPU)

func platformInit(forceCPU bool) string {
	if _, _, e := unix.RawSyscall6(sysRseq, 0, 0, 0, 0, 0, 0); e != unix.EINVAL {
		switch e {
		case unix.ENOSYS:
			return "kernel without rseq (Linux 4.18 or later is needed)"
		case unix.EPERM, unix.EACCES:
			return "rseq refused by the kernel (" + e.Error() + "; a seccomp filter?)"
		}
		return "rseq probe failed: " + e.Error()
	}
	auxv, err := readAuxv()
	if err != nil {
		return "cannot read the auxiliary vector: " + err.Error()
	}

	if reason := initThreadMode(auxv); reason != "" {
		return reason
	}

	// Slot index.
	mmCIDIndex = auxv[atRseqFeatureSize] >= 28 && !forceCPU
	if mmCIDIndex {
		idxOff = areaMMCID
		info.Index = "mm_cid"
	} else {
		idxOff = areaCPUID
		info.Index = "cpu_id"
	}

	// The fence.
	mask, _, errQ := unix.Syscall(unix.SYS_MEMBARRIER, membarrierCmdQuery, 0, 0)
	if errQ != 0 || mask&membarrierCmdPrivateExpeditedRseq == 0 || mask&membarrierCmdPrivateExpedited == 0 {
		return "no membarrier RSEQ fence (Linux 5.10 or later is needed)"
	}
	if _, _, e := unix.Syscall(unix.SYS_MEMBARRIER, membarrierCmdRegisterPrivateExpedited, 0, 0); e != 0 {
		return "no membarrier barrier: registration failed: " + e.Error()
	}
	if _, _, e := unix.Syscall(unix.SYS_MEMBARRIER, membarrierCmdRegisterPrivateExpeditedRseq, 0, 0); e != 0 {
		return "no membarrier RSEQ fence: registration failed: " + e.Error()
	}
	info.Fence = true

	// The sections. The asm reads the stop words stopSpacingRSEQ apart.
	stopBase = uintptr(stopWords)
	hot = hotState{slots: slotsU, idxOff: int32(idxOff), areaOffset: areaOffset, stopBase: stopBase}
	stopSpacing = stopSpacingRSEQ
	if err := initDescriptors(); err != nil {
		stopSpacing = CacheLine
		return "failed self-check: " + err.Error()
	}
	if err := selfCheck(); err != nil {
		stopSpacing = CacheLine
		return "failed self-check: " + err.Error()
	}
	hot.nslots = int64(nslots)
	return ""
}

// useLibcArea adopts glibc's rseq registration (cgo binaries, glibc 2.35 or
// later): __rseq_offset and __rseq_size from the dynamic loader, and the
// area at the thread pointer plus __rseq_offset confirmed registered for
// this thread. It returns why it cannot, or "" when the area is in use;
// missing reports that the loader has no registration to find.
func useLibcArea(auxv map[uint64]uint64) (why string, missing bool) {
	off, size, err := libcRseq(auxv)
	if err != nil {
		return "glibc's rseq registration was not found: " + err.Error(), true
	}
	if size == 0 {
		return "glibc's rseq registration is disabled (GLIBC_TUNABLES=glibc.pthread.rseq=0?)", false
	}
	if e := unix.Errno(libcProbe(off)); e != unix.EBUSY {
		return fmt.Sprintf("glibc's rseq area at thread pointer %+d is not registered for this thread (probe: %v)", off, e), false
	}
	areaOffset = off
	info.Registration = "libc"
	return "", false
}

// rseqCS is the kernel's struct rseq_cs.
type rseqCS struct {
	version, flags uint32
	start          uint64
	postOffset     uint64
	abort          uint64
}

func initDescriptors() error {
	if a := uintptr(unsafe.Pointer(&descTab)); a%32 != 0 {
		return fmt.Errorf("the descriptor table at %#x is not 32-byte aligned", a)
	}
	page, err := sysAlloc(pageSize)
	if err != nil {
		return err
	}
	n := 0 // descriptors written in page
	for t, tab := range append([]sectionTable{{csText[:], descs[:]}}, archSections...) {
		for i := range tab.text {
			// The entry is a code address: read it as a pointer without
			// converting an integer (which go vet rightly distrusts).
			entry := tab.text[i]
			code := textAt(*(*unsafe.Pointer)(unsafe.Pointer(&tab.text[i])), 1024)
			sec, err := scanSection(code)
			if err != nil {
				return fmt.Errorf("section %d of table %d at %#x: %w", i, t, entry, err)
			}
			// The package's own sections get descTab, which the amd64
			// asm addresses directly; an architecture's extra tables,
			// page.
			d := &descTab[i]
			if t > 0 {
				d = (*rseqCS)(unsafe.Add(page, n*int(unsafe.Sizeof(rseqCS{}))))
				n++
			}
			d.start = uint64(entry) + uint64(sec.start)
			d.postOffset = uint64(sec.post - sec.start)
			d.abort = uint64(entry) + uint64(sec.abort)
			tab.descs[i] = uintptr(unsafe.Pointer(d))
		}
	}
	return nil
}

// A sectionTable is a descriptor table of sections kept apart from descs
// and csText: text holds the entry addresses (asm DATA), descs the descriptor
// addresses initDescriptors writes, for the asm to read.
type sectionTable struct{ text, descs []uintptr }

// archSections and archSelfChecks are appended to by package-level
// variable initialisers of architecture-specific files (which run before
// any init function, so before detection): the metrics sections
// (metrics_linux.go).
var (
	archSections   []sectionTable
	archSelfChecks []func(Mem) error
)

// selfCheck runs every section once on a fresh thread and compares the
// results with the generic versions' semantics.
func selfCheck() error {
	done := make(chan error)
	go func() {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		done <- selfCheckThread()
	}()
	return <-done
}

func selfCheckThread() error {
	m, err := Alloc(256, 64)
	if err != nil {
		return err
	}
	defer m.Free()
	// The thread pointer convention must hold on a second thread too (on
	// arm64: each thread has its own thread pointer and glibc's area there).
	if err := checkThreadAnchor(); err != nil {
		return err
	}
	// Register (pure-Go mode) and make sure this thread can run sections.
	var idx, st uint32
	for range 2 {
		idx, st = rseqCurrent()
		if Status(st) != stNeedRegister {
			break
		}
		registerThread()
	}
	if Status(st) != OK {
		return fmt.Errorf("a fresh thread cannot use rseq (%v)", Status(st))
	}
	// The checks need an index in range, which a thread need not have when
	// there are fewer slots than CPUs (the rseqslots test build; a kernel
	// with more than maxSlots CPUs). Such a thread takes the slow paths,
	// which is correct but checks nothing: move this one into range.
	restore, err := moveInRange(idx)
	if err != nil {
		return err
	}
	defer restore()
	// Each check retries when the thread moves between reading its slot and
	// running the section, or out of range while it runs (mm_cid, with
	// fewer slots than CPUs): the sections then take their slow paths, and
	// the check sees a status it cannot judge. 1000 in a row would mean a
	// broken index.
	for range 1000 {
		err := selfCheckOnce(m)
		if idx, _ := rseqCurrent(); idx >= slotsU {
			if _, err := moveInRange(idx); err != nil {
				return err
			}
			continue
		}
		if !errors.Is(err, errMovedCheck) {
			return err
		}
	}
	return errors.New("the slot index changes on every attempt")
}

// moveInRange pins the calling thread (locked to its goroutine) until its
// slot index, idx now, is below the slot count, and returns the function
// that gives it its CPU set back. With cpu_id slots, one pin to a CPU below
// the count does it. An mm_cid is the kernel's choice: a CPU keeps the last
// id used on it for the next thread of the process it runs, so it tries
// every CPU, sleeping a little in between, up to a bound.
func moveInRange(idx uint32) (restore func(), err error) {
	if idx < slotsU {
		return func() {}, nil
	}
	var old unix.CPUSet
	if err := unix.SchedGetaffinity(0, &old); err != nil {
		return nil, fmt.Errorf("slot index %d is not below the slot count %d, and sched_getaffinity failed: %w", idx, nslots, err)
	}
	restore = func() { _ = unix.SchedSetaffinity(0, &old) }
	for try := range 100 {
		cpus := 1024
		if !mmCIDIndex {
			cpus = min(nslots, cpus)
		}
		for cpu := range cpus {
			if !old.IsSet(cpu) {
				continue
			}
			var set unix.CPUSet
			set.Set(cpu)
			if unix.SchedSetaffinity(0, &set) != nil {
				continue
			}
			if try > 0 {
				_ = unix.Nanosleep(&unix.Timespec{Nsec: 100_000}, nil)
			}
			if idx, _ = rseqCurrent(); idx < slotsU {
				return restore, nil
			}
		}
	}
	restore()
	return nil, fmt.Errorf("slot index %d is not below the slot count %d on any CPU below it", idx, nslots)
}

var errMovedCheck = errors.New("moved")

func selfCheckOnce(m Mem) error {
	for s := range nslots {
		clear(unsafe.Slice((*byte)(m.Slot(s)), m.Size()))
	}
	if forcedAborts {
		// Every section aborts: each must give up after its bound and
		// leave memory untouched.
		if st := Status(rseqAdd(m.Base(), m.Stride(), 7)); st != stAborted {
			return fmt.Errorf("add in the rseqabort build: %v", st)
		}
		for s := range nslots {
			if *(*int64)(m.Slot(s)) != 0 {
				return errors.New("an aborted add wrote memory")
			}
		}
		return nil
	}
	for range 3 {
		if st := Status(rseqAdd(m.Base(), m.Stride(), 7)); st != OK {
			return fmt.Errorf("add: %v", st)
		}
	}
	var sum int64
	for s := range nslots {
		sum += *(*int64)(m.Slot(s))
	}
	if sum != 21 {
		return fmt.Errorf("add: 3 adds of 7 sum to %d", sum)
	}
	idx, _ := rseqCurrent()
	s := int(idx)
	w := (*uint64)(unsafe.Add(m.Slot(s), 64))
	w2 := (*uint64)(unsafe.Add(m.Slot(s), 72))
	moved := func(st uint32) bool { return Status(st) == Moved }
	if st := rseqCmpStore(idx, w, 1, 5); moved(st) {
		return errMovedCheck
	} else if Status(st) != CmpFailed || *w != 0 {
		return fmt.Errorf("cmpstore with a wrong expect: %v, word %d", Status(st), *w)
	}
	if st := rseqCmpStore(idx, w, 0, 5); moved(st) {
		return errMovedCheck
	} else if Status(st) != OK || *w != 5 {
		return fmt.Errorf("cmpstore: %v, word %d", Status(st), *w)
	}
	if st := rseqCmpStoreStore(idx, w, 5, w2, 9, 6); moved(st) {
		return errMovedCheck
	} else if Status(st) != OK || *w != 6 || *w2 != 9 {
		return fmt.Errorf("cmpstorestore: %v, words %d %d", Status(st), *w, *w2)
	}
	src := []byte("restartable sequence")
	dst := unsafe.Add(m.Slot(s), 128)
	if st := rseqCmpMemcpyStore(idx, w, 6, dst, unsafe.Pointer(&src[0]), uintptr(len(src)), 7); moved(st) {
		return errMovedCheck
	} else if Status(st) != OK || *w != 7 || string(unsafe.Slice((*byte)(dst), len(src))) != string(src) {
		return fmt.Errorf("cmpmemcpystore: %v, word %d", Status(st), *w)
	}
	// A list 3 -> 1 -> end (end = 9) in the links at 128..
	next := unsafe.Add(m.Slot(s), 128)
	links := unsafe.Slice((*uint64)(next), 4)
	links[3], links[1] = 1, 9
	*w = 3
	node, st := rseqListPop(idx, w, next, 9)
	if moved(st) {
		return errMovedCheck
	} else if Status(st) != OK || node != 3 || *w != 1 {
		return fmt.Errorf("listpop: %v, node %d, head %d", Status(st), node, *w)
	}
	// Stopped slots divert before storing.
	*stopWord(s) = 1
	st = rseqCmpStore(idx, w, 1, 2)
	*stopWord(s) = 0
	if moved(st) {
		return errMovedCheck
	} else if Status(st) != stStopped || *w != 1 {
		return fmt.Errorf("cmpstore on a stopped slot: %v, word %d", Status(st), *w)
	}
	if err := selfCheckHere(m); err != nil {
		return err
	}
	for _, check := range archSelfChecks {
		if err := check(m); err != nil {
			return err
		}
	}
	return nil
}

func membarrierFence(s int) error {
	flags, cpu := uintptr(membarrierCmdFlagCPU), uintptr(s)
	if s < 0 || mmCIDIndex {
		flags, cpu = 0, 0
	}
	if _, _, e := unix.Syscall(unix.SYS_MEMBARRIER, membarrierCmdPrivateExpeditedRseq, flags, cpu); e != 0 {
		return e
	}
	return nil
}

func membarrierBarrier() error {
	if _, _, e := unix.Syscall(unix.SYS_MEMBARRIER, membarrierCmdPrivateExpedited, 0, 0); e != 0 {
		return e
	}
	return nil
}
