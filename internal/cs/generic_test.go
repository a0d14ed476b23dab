package cs_test

import (
	"bytes"
	"encoding/binary"
	"runtime"
	"strings"
	"testing"
	"unsafe"

	"github.com/gorseq/rseq/internal/cs"
)

// The asm primitives against their generic (pure-Go) versions, on the same
// inputs, in one binary. The asm runs on the calling thread's slot; a test
// that moves between reading its slot and running the section (Moved)
// starts over.

// words is the scratch layout of one primitive call: 8 words of state, a
// 64-byte copy area and a list of links.
type scratch struct {
	w     [8]uint64
	area  [64]byte
	links [8]uint64
}

// primCase is one primitive call, described independently of its memory.
type primCase struct {
	kind   uint8 // 0 cmpstore, 1 cmpstorestore, 2 cmpmemcpystore, 3 listpop
	expect uint64
	newv   uint64
	new2   uint64
	n      uint8
	init   scratch
	src    [64]byte
}

func (c *primCase) runGeneric(m *scratch) (uint64, cs.Status) {
	switch c.kind % 4 {
	case 0:
		return 0, cs.CmpStoreGeneric(&m.w[0], c.expect, c.newv)
	case 1:
		return 0, cs.CmpStoreStoreGeneric(&m.w[0], c.expect, &m.w[1], c.new2, c.newv)
	case 2:
		return 0, cs.CmpMemcpyStoreGeneric(&m.w[0], c.expect, unsafe.Pointer(&m.area), unsafe.Pointer(&c.src), uintptr(c.n%65), c.newv)
	default:
		return cs.ListPopGeneric(&m.w[0], unsafe.Pointer(&m.links), c.expect)
	}
}

// prims is one implementation of the four slot primitives.
type prims struct {
	cmpStore       func(slot int, v *uint64, expect, newv uint64) cs.Status
	cmpStoreStore  func(slot int, v *uint64, expect uint64, v2 *uint64, new2, newv uint64) cs.Status
	cmpMemcpyStore func(slot int, v *uint64, expect uint64, dst, src unsafe.Pointer, n uintptr, newv uint64) cs.Status
	listPop        func(slot int, head *uint64, next unsafe.Pointer, sentinel uint64) (uint64, cs.Status)
}

var (
	// public: the exported primitives, the asm sections callers reach
	// directly, with the slow paths behind them.
	public = prims{cs.CmpStore, cs.CmpStoreStore, cs.CmpMemcpyStore, cs.ListPop}
	// raw: the raw asm sections, which report every status.
	raw = prims{cs.RawCmpStore, cs.RawCmpStoreStore, cs.RawCmpMemcpyStore, cs.RawListPop}
)

func (c *primCase) run(p prims, slot int, m *scratch) (uint64, cs.Status) {
	switch c.kind % 4 {
	case 0:
		return 0, p.cmpStore(slot, &m.w[0], c.expect, c.newv)
	case 1:
		return 0, p.cmpStoreStore(slot, &m.w[0], c.expect, &m.w[1], c.new2, c.newv)
	case 2:
		return 0, p.cmpMemcpyStore(slot, &m.w[0], c.expect, unsafe.Pointer(&m.area), unsafe.Pointer(&c.src), uintptr(c.n%65), c.newv)
	default:
		return p.listPop(slot, &m.w[0], unsafe.Pointer(&m.links), c.expect)
	}
}

// checkGeneric runs c through the raw asm and through the exported
// primitive (in per-CPU memory) and through the generic version (in Go
// memory), and reports any difference.
func checkGeneric(t *testing.T, mem cs.Mem, c *primCase) {
	t.Helper()
	checkGenericWith(t, mem, c, raw)
	checkGenericWith(t, mem, c, public)
}

func checkGenericWith(t *testing.T, mem cs.Mem, c *primCase, p prims) {
	t.Helper()
	want := c.init
	wantNode, wantSt := c.runGeneric(&want)
	onSectionThread(t, func() {
		for range 1000 {
			slot, _ := cs.RawCurrent()
			if slot >= cs.Slots() {
				// Out of range since onSectionThread moved it (an
				// mm_cid with fewer slots than CPUs).
				restore, err := cs.MoveInRange()
				if err != nil {
					t.Error(err)
					return
				}
				defer restore()
				continue
			}
			got := (*scratch)(mem.Slot(slot))
			*got = c.init
			node, st := c.run(p, slot, got)
			if st == cs.Moved {
				continue
			}
			if st != wantSt || (c.kind%4 == 3 && node != wantNode) || *got != want {
				t.Errorf("case %+v:\nasm  %v node %d mem %+v\ngen  %v node %d mem %+v", *c, st, node, *got, wantSt, wantNode, want)
			}
			return
		}
		t.Error("moved on 1000 attempts in a row")
	})
}

// onSectionThread runs f on a goroutine locked to a thread that can run
// sections, with a slot index in range, and waits for it; f reports with
// t.Error, not t.Fatal. Under -buildmode=pie without cgo the main thread
// cannot (the loader registered it in an area Go abandoned): a goroutine
// that lands there keeps the thread until f has run, so that the next one
// gets another. With fewer slots than CPUs (the rseqslots build) the thread
// is pinned until its index is in range (cs.MoveInRange), and f's
// sections may still find it out of range (mm_cid).
func onSectionThread(t *testing.T, f func()) {
	t.Helper()
	var parked []chan struct{}
	defer func() {
		for _, c := range parked {
			close(c)
		}
	}()
	for range 16 {
		ran, park := make(chan bool), make(chan struct{})
		go func() {
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			if _, st := cs.RawCurrent(); st != cs.OK {
				ran <- false
				<-park
				return
			}
			restore, err := cs.MoveInRange()
			if err != nil {
				t.Error(err)
				ran <- true
				return
			}
			defer restore()
			f()
			ran <- true
		}()
		if <-ran {
			return
		}
		parked = append(parked, park)
	}
	t.Fatal("16 threads in a row cannot run sections")
}

func needRSEQ(t testing.TB) {
	if !cs.Enabled() {
		t.Skipf("asm sections need the RSEQ backend: %s", cs.Describe().Reason)
	}
}

// needCommits skips tests of the raw sections' results in the rseqabort
// build, where every section aborts.
func needCommits(t testing.TB) {
	needRSEQ(t)
	if cs.ForcedAborts {
		t.Skip("rseqabort build: every section aborts")
	}
}

// allocMem allocates per-CPU memory that the test frees when it ends.
func allocMem(tb testing.TB, size, align uintptr) cs.Mem {
	tb.Helper()
	m, err := cs.Alloc(size, align)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(m.Free)
	return m
}

func newScratchMem(t testing.TB) cs.Mem { return allocMem(t, unsafe.Sizeof(scratch{}), 64) }

func TestAsmMatchesGeneric(t *testing.T) {
	needCommits(t)
	mem := newScratchMem(t)
	var cases []primCase
	for kind := range uint8(4) {
		for _, hit := range []bool{true, false} {
			c := primCase{kind: kind, newv: 77, new2: 88, n: 13}
			c.init.w[0] = 3
			c.init.links = [8]uint64{0: 7, 3: 5, 5: 7}
			copy(c.src[:], "the quick brown fox jumps over the lazy dog")
			c.expect = 3
			if !hit {
				c.expect = 4
			}
			if kind == 3 && !hit {
				c.init.w[0] = 4 // head == sentinel: empty list
			}
			cases = append(cases, c)
		}
	}
	for n := range uint8(65) { // every memcpy length, 0..64
		c := primCase{kind: 2, expect: 3, newv: 9, n: n}
		c.init.w[0] = 3
		for i := range c.src {
			c.src[i] = byte(i*7 + 1)
		}
		cases = append(cases, c)
	}
	for i := range cases {
		checkGeneric(t, mem, &cases[i])
	}
}

func FuzzAsmMatchesGeneric(f *testing.F) {
	f.Add([]byte{0, 3, 3, 5})
	f.Add([]byte{1, 3, 3, 5, 6, 7})
	f.Add([]byte{2, 1, 1, 9, 40, 1, 2, 3, 4, 5, 6, 7, 8, 9})
	f.Add([]byte{3, 2, 2, 1, 2, 3, 4, 5, 6, 7, 0})
	f.Fuzz(func(t *testing.T, data []byte) {
		needCommits(t)
		if len(data) < 4 {
			return
		}
		c := primCase{kind: data[0], n: data[3]}
		// Small values, so that compares hit often.
		c.expect = uint64(data[1] % 8)
		c.init.w[0] = uint64(data[2] % 8)
		c.newv = uint64(data[3])
		rest := data[4:]
		if c.kind%4 == 3 {
			// Links must stay inside the array: indices mod 8.
			for i := range c.init.links {
				if i < len(rest) {
					c.init.links[i] = uint64(rest[i] % 8)
				}
			}
		} else {
			copy(c.src[:], rest)
			if len(rest) >= 8 {
				c.new2 = binary.LittleEndian.Uint64(rest)
			}
		}
		checkGeneric(t, newScratchMem(t), &c)
	})
}

// The generic versions themselves, on hand-made cases, in every backend.
func TestGeneric(t *testing.T) {
	var w, w2 uint64 = 5, 0
	if st := cs.CmpStoreGeneric(&w, 4, 9); st != cs.CmpFailed || w != 5 {
		t.Fatalf("cmpstore miss: %v %d", st, w)
	}
	if st := cs.CmpStoreGeneric(&w, 5, 9); st != cs.OK || w != 9 {
		t.Fatalf("cmpstore hit: %v %d", st, w)
	}
	if st := cs.CmpStoreStoreGeneric(&w, 9, &w2, 1, 2); st != cs.OK || w != 2 || w2 != 1 {
		t.Fatalf("cmpstorestore: %v %d %d", st, w, w2)
	}
	src, dst := []byte("abcdef"), make([]byte, 6)
	if st := cs.CmpMemcpyStoreGeneric(&w, 2, unsafe.Pointer(&dst[0]), unsafe.Pointer(&src[0]), 6, 3); st != cs.OK || w != 3 || !bytes.Equal(dst, src) {
		t.Fatalf("cmpmemcpystore: %v %d %q", st, w, dst)
	}
	links := []uint64{2, 0, 9}
	head := uint64(1)
	for _, want := range []uint64{1, 0, 2} {
		node, st := cs.ListPopGeneric(&head, unsafe.Pointer(&links[0]), 9)
		if st != cs.OK || node != want {
			t.Fatalf("listpop: got %d %v, want %d", node, st, want)
		}
	}
	if _, st := cs.ListPopGeneric(&head, unsafe.Pointer(&links[0]), 9); st != cs.CmpFailed {
		t.Fatalf("listpop on an empty list: %v", st)
	}
}

// The public API on the calling thread's slot, in every backend: the same
// results as the generic versions.
func TestPrimitivesSemantics(t *testing.T) {
	mem := newScratchMem(t)
	for range 100 {
		s := cs.CurrentSlot()
		m := (*scratch)(mem.Slot(s))
		*m = scratch{}
		m.w[0] = 1
		st := cs.CmpStore(s, &m.w[0], 1, 2)
		if st == cs.Moved {
			continue
		}
		if st != cs.OK || m.w[0] != 2 {
			t.Fatalf("CmpStore: %v %d", st, m.w[0])
		}
		if st := cs.CmpStore(s, &m.w[0], 1, 3); st != cs.CmpFailed && st != cs.Moved {
			t.Fatalf("CmpStore miss: %v", st)
		}
		if st := cs.CmpStoreStore(s, &m.w[0], 2, &m.w[1], 7, 4); st == cs.OK && (m.w[0] != 4 || m.w[1] != 7) {
			t.Fatalf("CmpStoreStore: %d %d", m.w[0], m.w[1])
		}
		return
	}
	t.Fatal("moved 100 times in a row")
}

func TestStatusString(t *testing.T) {
	for st, want := range map[cs.Status]string{cs.OK: "ok", cs.CmpFailed: "compare failed", cs.Moved: "moved", cs.StStopped: "stopped", 99: "status(99)"} {
		if got := st.String(); got != want {
			t.Errorf("%d: %q, want %q", st, got, want)
		}
	}
}

// TestSelfCheckPassed: a section that fails the start-up scan or
// self-check sends the process to the Atomic backend, where the asm tests
// above skip. Neither can be the machine's fault (a kernel without rseq or
// the fence gives another reason), so it fails here.
func TestSelfCheckPassed(t *testing.T) {
	if r := cs.Describe().Reason; strings.HasPrefix(r, "failed self-check") {
		t.Fatalf("the sections failed their start-up check: %s", r)
	}
}

// TestPlainAddMatchesGeneric: the benchmarks' bare asm add (no section)
// against its Go twin.
func TestPlainAddMatchesGeneric(t *testing.T) {
	for _, c := range [][2]int64{{0, 1}, {5, -7}, {1 << 62, 1 << 62}, {-1 << 63, -1}, {42, 0}} {
		x, y := c[0], c[0]
		cs.PlainAddAsm(&x, c[1])
		cs.PlainAddGeneric(&y, c[1])
		if x != y || x != c[0]+c[1] {
			t.Errorf("%d + %d: asm %d, generic %d", c[0], c[1], x, y)
		}
	}
}
