package cs_test

import (
	"errors"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"
	"unsafe"

	"github.com/gorseq/rseq/internal/cs"
)

func TestAllocLayout(t *testing.T) {
	for _, tc := range []struct{ size, align uintptr }{
		{1, 0}, {8, 8}, {24, 8}, {100, 64}, {4096, 4096}, {cs.ChunkStride, 64}, {3 << 20, 8},
	} {
		m, err := cs.Alloc(tc.size, tc.align)
		if err != nil {
			t.Fatalf("Alloc(%d, %d): %v", tc.size, tc.align, err)
		}
		align := max(tc.align, 8)
		if m.Stride() < tc.size || m.Stride()%align != 0 {
			t.Errorf("Alloc(%d, %d): stride %d", tc.size, tc.align, m.Stride())
		}
		for s := range cs.Slots() {
			p := m.Slot(s)
			if uintptr(p)%align != 0 {
				t.Errorf("Alloc(%d, %d): slot %d at %p, not %d-aligned", tc.size, tc.align, s, p, align)
			}
			if uintptr(p) != uintptr(m.Base())+uintptr(s)*m.Stride() {
				t.Errorf("Slot(%d) is not Base + s*Stride", s)
			}
			b := unsafe.Slice((*byte)(p), tc.size)
			for i := range b {
				if b[i] != 0 {
					t.Fatalf("Alloc(%d, %d): slot %d byte %d is %d, want zero", tc.size, tc.align, s, i, b[i])
				}
			}
			for i := range b {
				b[i] = 0xa5
			}
		}
		m.Free()
	}
}

// Freed items come back zeroed, in every slot.
func TestAllocReuseIsZeroed(t *testing.T) {
	m, err := cs.Alloc(40, 8)
	if err != nil {
		t.Fatal(err)
	}
	for s := range cs.Slots() {
		clear(unsafe.Slice((*byte)(m.Slot(s)), 40))
		for i := range 40 {
			*(*byte)(unsafe.Add(m.Slot(s), i)) = 0xff
		}
	}
	base := m.Base()
	m.Free()
	m2, err := cs.Alloc(40, 8)
	if err != nil {
		t.Fatal(err)
	}
	defer m2.Free()
	if m2.Base() != base {
		t.Logf("freed item not reused first (base %p, now %p)", base, m2.Base())
	}
	for s := range cs.Slots() {
		for i := range 40 {
			if b := *(*byte)(unsafe.Add(m2.Slot(s), i)); b != 0 {
				t.Fatalf("reused item: slot %d byte %d is %#x", s, i, b)
			}
		}
	}
}

// Small items of different owners never overlap.
func TestAllocDisjoint(t *testing.T) {
	var ms []cs.Mem
	seen := map[uintptr]bool{}
	for i := range 3000 {
		m, err := cs.Alloc(uintptr(8+8*(i%5)), 8)
		if err != nil {
			t.Fatal(err)
		}
		ms = append(ms, m)
		for off := uintptr(0); off < m.Size(); off += 8 {
			a := uintptr(m.Base()) + off
			if seen[a] {
				t.Fatalf("item %d overlaps another at %#x", i, a)
			}
			seen[a] = true
		}
	}
	for _, m := range ms {
		m.Free()
	}
}

func TestAllocErrors(t *testing.T) {
	for _, tc := range []struct {
		size, align uintptr
		want        string
	}{
		{0, 8, "size 0 out of range"},
		{cs.MaxAlloc + 1, 8, "size 1073741825 out of range"},
		{8, 3, "align 3 is not a power of two"},
		{8, 4, "align 4"},
		{8, 8192, "align 8192"},
	} {
		_, err := cs.Alloc(tc.size, tc.align)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Alloc(%d, %d): %v, want an error containing %q", tc.size, tc.align, err, tc.want)
		}
	}
	// Sizes out of range read as every package's range errors do
	// (internal/argerr) and wrap ErrAllocSize.
	for _, size := range []uintptr{0, cs.MaxAlloc + 1, ^uintptr(0)} {
		_, err := cs.Alloc(size, 8)
		want := "cs: Alloc: size " + strconv.FormatUint(uint64(size), 10) + " out of range [1, " + strconv.Itoa(cs.MaxAlloc) + "]"
		if err == nil || !strings.HasPrefix(err.Error(), want) || !errors.Is(err, cs.ErrAllocSize) {
			t.Errorf("Alloc(%d, 8): %v, want %q wrapping ErrAllocSize", size, err, want)
		}
	}
}

func TestSlotOutOfRangePanics(t *testing.T) {
	m := allocMem(t, 8, 8)
	defer func() {
		r := recover()
		if r == nil || !strings.Contains(r.(string), "slot -1 out of range") {
			t.Fatalf("Slot(-1): recovered %v", r)
		}
	}()
	m.Slot(-1)
}

// AllocFor returns the memory to the pool once the owner is unreachable.
func TestAllocForCleanup(t *testing.T) {
	before := cs.ReadPoolStats().Live
	func() {
		for range 100 {
			owner := new([16]byte)
			if _, err := cs.AllocFor(owner, 64, 8); err != nil {
				t.Fatal(err)
			}
		}
	}()
	if live := cs.ReadPoolStats().Live; live < before+100 {
		t.Fatalf("live items %d, want at least %d", live, before+100)
	}
	deadline := time.Now().Add(10 * time.Second)
	for cs.ReadPoolStats().Live > before {
		if time.Now().After(deadline) {
			t.Fatalf("after GC, %d items still live, want %d: cleanups did not free them", cs.ReadPoolStats().Live, before)
		}
		runtime.GC()
		time.Sleep(time.Millisecond)
	}
}

func TestParseCPUList(t *testing.T) {
	for in, want := range map[string]int{"0": 0, "0-1": 1, "0-3,8-11": 11, "0,2,5": 5, "4-7": 7} {
		got, ok := cs.ParseCPUList(in)
		if !ok || got != want {
			t.Errorf("ParseCPUList(%q) = %d, %v; want %d", in, got, ok, want)
		}
	}
	for _, in := range []string{"", "x", "1-a", "-3"} {
		if _, ok := cs.ParseCPUList(in); ok {
			t.Errorf("ParseCPUList(%q) accepted", in)
		}
	}
}
