package cs

import (
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"unsafe"
)

// Info is the backend decision, made once at start-up.
type Info struct {
	RSEQ         bool   // the RSEQ backend is in use
	Reason       string // why the Atomic backend was chosen; "" when RSEQ
	Registration string // "go" (areas this package registers), "libc" (glibc's), "" when none
	Index        string // "mm_cid" or "cpu_id" in the RSEQ backend; "" in the Atomic one (stack hint)
	Fence        bool   // the membarrier RSEQ fence is available and registered
	Slots        int    // per-CPU slots each structure keeps
}

// Describe returns the decision. It never changes.
func Describe() Info { return info }

// Env is the environment variable that overrides detection.
const Env = "GORSEQ"

// maxSlots bounds the slot count: a kernel that reports more possible CPUs
// gets this many slots, and indices past them take the slow path.
const maxSlots = 4096

// SlotsForced reports the rseqslots test build with the slot count set by
// GORSEQ_SLOTS, rather than the kernel's possible CPUs.
func SlotsForced() bool { return forcedSlots > 0 }

func init() {
	nslots = possibleCPUs()
	if forcedSlots > 0 {
		nslots = forcedSlots
	}
	slotsU = uint32(nslots)
	p, err := sysAlloc(uintptr(nslots) * CacheLine)
	if err != nil {
		panic("cs: cannot map the stop words: " + err.Error())
	}
	stopWords = p
	info = Info{Slots: nslots}

	forceCPU := false
	switch v := os.Getenv(Env); v {
	case "", "rseq":
	case "atomic":
		info.Reason = "forced by " + Env + "=atomic"
	case "cpu_id":
		forceCPU = true
	default:
		info.Reason = fmt.Sprintf("unknown %s value %q (known: atomic, cpu_id, rseq)", Env, v)
	}
	if info.Reason == "" {
		info.Reason = platformInit(forceCPU)
	}
	info.RSEQ = info.Reason == ""
	rseqOn = info.RSEQ
	if !rseqOn {
		info.Registration, info.Index = "", ""
	}
}

// possibleCPUs returns the number of CPU ids the kernel may report: the
// highest possible CPU plus one, or the usable CPU count where that is not
// known.
func possibleCPUs() int {
	n := runtime.NumCPU()
	if runtime.GOOS == "linux" {
		if b, err := os.ReadFile("/sys/devices/system/cpu/possible"); err == nil {
			if m, ok := parseCPUList(strings.TrimSpace(string(b))); ok && m+1 > n {
				n = m + 1
			}
		}
	}
	return min(max(n, 1), maxSlots)
}

// parseCPUList returns the highest CPU of a kernel CPU list ("0-3,8-11").
func parseCPUList(s string) (int, bool) {
	hi := -1
	for part := range strings.SplitSeq(s, ",") {
		first, last, isRange := strings.Cut(part, "-")
		lo, err := strconv.Atoi(first)
		if err != nil || lo < 0 {
			return 0, false
		}
		n := lo
		if isRange {
			if n, err = strconv.Atoi(last); err != nil || n < lo {
				return 0, false
			}
		}
		hi = max(hi, n)
	}
	return hi, hi >= 0
}

// textAt returns n bytes of code at p, for the self-check.
func textAt(p unsafe.Pointer, n int) []byte { return unsafe.Slice((*byte)(p), n) }
