package benchmarks

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
)

// A Memory case measures what one instance of each implementation costs.
type Memory struct {
	Unit  string // what an instance is: "counter"
	Impls []MemImpl
}

// A MemImpl makes instances of one implementation.
type MemImpl struct {
	Name    string // as Impl.Name
	Backend bool   // as Impl.Backend
	Skip    string // why it cannot run here; "" when it can

	// Make creates n instances and returns what keeps them alive, a
	// function that adds 1 to instance i, and one that reads instance i.
	Make func(n int) (keep any, inc func(i int), load func(i int) int64)
}

// Label is the row name, as Impl.Label.
func (m MemImpl) Label() string { return Impl{Name: m.Name, Backend: m.Backend}.Label() }

// IsPeer is as Impl.IsPeer.
func (m MemImpl) IsPeer() bool { return Impl{Name: m.Name}.IsPeer() }

// A MemResult is what n instances cost, per instance.
type MemResult struct {
	N     int     `json:"n"`
	Heap  float64 `json:"heap_bytes"` // growth of the live Go heap (HeapAlloc after a GC)
	RSS   float64 `json:"rss_bytes"`  // growth of the resident set: Go heap and off-heap memory together; -1 when unknown
	Procs int     `json:"procs"`      // goroutines that incremented every instance
}

// MeasureMemory creates n instances with m.Make, has GOMAXPROCS goroutines
// running at once increment every instance (so that each CPU's copy of a
// per-CPU structure is written, and its pages resident, as in a program
// that uses them from every CPU), checks every count, and returns the
// growth of the live Go heap and of the resident set per instance. It
// returns the memory the runtime holds but does not use to the OS before
// each reading (debug.FreeOSMemory), so that both readings count pages in
// use.
//
// The resident set is the only measure that sees the off-heap per-CPU
// memory of the module's structures and every peer's memory alike. It is
// meaningful only in a fresh process: freed memory that a previous
// measurement left in a pool would be reused without growing it. The
// reference the caller keeps to each instance (a pointer, an interface
// value, or crsync's value type itself) is counted.
func MeasureMemory(m MemImpl, n int) (MemResult, error) {
	if n < 1 {
		return MemResult{}, fmt.Errorf("memory: n = %d, want at least 1", n)
	}
	debug.FreeOSMemory()
	heap0, rss0 := memNow()

	held, inc, load := m.Make(n)
	procs := runtime.GOMAXPROCS(0)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for range procs {
		wg.Go(func() {
			<-start
			for i := range n {
				inc(i)
			}
		})
	}
	close(start)
	wg.Wait()
	for i := range n {
		if got := load(i); got != int64(procs) {
			return MemResult{}, fmt.Errorf("memory: %s instance %d holds %d after %d increments", m.Name, i, got, procs)
		}
	}

	debug.FreeOSMemory()
	heap1, rss1 := memNow()
	runtime.KeepAlive(held)

	r := MemResult{N: n, Heap: float64(int64(heap1)-int64(heap0)) / float64(n), RSS: -1, Procs: procs}
	if rss0 >= 0 && rss1 >= 0 {
		r.RSS = float64(rss1-rss0) / float64(n)
	}
	return r, nil
}

// memNow returns the live Go heap and the resident set size (-1 when
// unknown), in bytes.
func memNow() (heap uint64, rss int64) {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapAlloc, residentBytes()
}

// residentBytes reads VmRSS from /proc/self/status; -1 where there is none.
func residentBytes() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return -1
	}
	for line := range strings.Lines(string(b)) {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			f := strings.Fields(rest) // "12345 kB"
			if len(f) == 2 && f[1] == "kB" {
				if kb, err := strconv.ParseInt(f[0], 10, 64); err == nil {
					return kb << 10
				}
			}
		}
	}
	return -1
}

// MemoryChildEnv, set to "structure/impl/n" in the environment, makes a
// process that calls RunMemoryChild a memory child: it measures n
// instances of that implementation in the fresh process and writes the
// MemResult as one JSON line.
const MemoryChildEnv = "GORSEQ_BENCH_MEMCHILD"

// RunMemoryChild does nothing and reports false unless MemoryChildEnv is
// set; otherwise it measures as the variable says, writes the result to
// stdout, and reports true with the error, if any.
func RunMemoryChild() (bool, error) {
	spec := os.Getenv(MemoryChildEnv)
	if spec == "" {
		return false, nil
	}
	structure, rest, _ := strings.Cut(spec, "/")
	name, ns, _ := strings.Cut(rest, "/")
	n, err := strconv.Atoi(ns)
	if err != nil {
		return true, fmt.Errorf("%s=%q: bad count: %v", MemoryChildEnv, spec, err)
	}
	m, err := findMem(structure, name)
	if err != nil {
		return true, err
	}
	r, err := MeasureMemory(m, n)
	if err != nil {
		return true, err
	}
	return true, json.NewEncoder(os.Stdout).Encode(r)
}

func findMem(structure, name string) (MemImpl, error) {
	for _, s := range Structures() {
		if s.Name == structure && s.Memory != nil {
			for _, m := range s.Memory.Impls {
				if m.Name == name {
					return m, nil
				}
			}
		}
	}
	return MemImpl{}, fmt.Errorf("memory: no implementation %s/%s", structure, name)
}

// MeasureInChild runs cmd, a command for a binary that calls
// RunMemoryChild first thing (with its arguments and environment set, but
// not MemoryChildEnv), as a memory child for structure/name with n
// instances, and returns what it measured.
func MeasureInChild(cmd *exec.Cmd, structure, name string, n int) (MemResult, error) {
	if cmd.Env == nil {
		cmd.Env = os.Environ()
	}
	cmd.Env = append(cmd.Env, fmt.Sprintf("%s=%s/%s/%d", MemoryChildEnv, structure, name, n))
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		msg := strings.TrimSpace(stderr.String())
		if msg == "" {
			msg = err.Error()
		}
		return MemResult{}, errors.New(msg)
	}
	var r MemResult
	if err := json.Unmarshal(stdout.Bytes(), &r); err != nil {
		return MemResult{}, fmt.Errorf("memory child %s/%s: %v in %q", structure, name, err, stdout.String())
	}
	return r, nil
}
