package cs_test

import (
	"math/bits"
	"math/rand/v2"
	"runtime"
	"slices"
	"testing"
	"unsafe"

	"github.com/gorseq/rseq/internal/cs"
)

// The pool sections against their generic versions, as TestHereGeneric:
// every slot's stack starts alike, and the section must do what the
// generic one does, on exactly one slot (none when it does not commit).

const poolMax = 8 // indices a stack holds

// slowMark is what poolLayout's GetSlow returns: no object of any pool,
// so a test tells the hook's answer from the section's.
var slowMark byte

// poolLayout returns a layout for n objects size bytes apart in objs, on
// mem's stacks, with hooks that count their calls (GetSlow returns
// &slowMark).
func poolLayout(mem cs.Mem, objs []byte, n int, size uintptr, slow *int) *cs.PoolLayout {
	shift := bits.TrailingZeros(uint(size))
	d := uint(size) >> shift
	inv := d
	for range 5 {
		inv *= 2 - d*inv
	}
	return &cs.PoolLayout{
		Stacks: mem.Base(), Stride: mem.Stride(), Max: poolMax,
		Objs: unsafe.Pointer(&objs[0]), Size: size, Inv: uintptr(inv), Shift: uintptr(shift), N: uintptr(n),
		GetSlow: func(*cs.PoolLayout) unsafe.Pointer { *slow++; return unsafe.Pointer(&slowMark) },
		PutSlow: func(*cs.PoolLayout, unsafe.Pointer) { *slow++ },
	}
}

func readStack(p unsafe.Pointer) []uint32 {
	n := *(*uint64)(p)
	s := unsafe.Slice((*uint32)(unsafe.Add(p, 8)), poolMax)
	if n > poolMax {
		return append(slices.Clone(s), 1<<31)
	}
	return slices.Clone(s[:n])
}

func checkPool(t *testing.T, mem cs.Mem, raw bool, r *rand.Rand, size uintptr) {
	t.Helper()
	const n = 40
	objs := make([]byte, n*int(size)+64)
	foreign := make([]byte, 64)
	slow := 0
	l := poolLayout(mem, objs, n, size, &slow)
	var ref [8 + 4*poolMax]byte
	rp := unsafe.Pointer(&ref)
	for k := range 300 {
		before := readStack(rp)
		for s := range cs.Slots() {
			copy(unsafe.Slice((*byte)(mem.Slot(s)), len(ref)), ref[:])
		}
		slow = 0
		var got, want unsafe.Pointer
		var gst, wst cs.Status
		var x unsafe.Pointer
		get := r.IntN(2) == 0
		if get {
			want, wst = cs.PoolGetGeneric(rp, l)
			if raw {
				got, gst = cs.RawPoolGet(l)
			} else if got = cs.PoolGet(l); got != nil {
				gst = cs.OK
			}
		} else {
			// An object, or an address inside or beyond the array.
			off := uintptr(r.IntN(n)) * size
			switch r.IntN(8) {
			case 0:
				off += uintptr(1 + r.IntN(int(size)-1))
			case 1:
				off = uintptr(n)*size + uintptr(r.IntN(64))
			}
			x = unsafe.Add(unsafe.Pointer(&objs[0]), off)
			if r.IntN(8) == 0 {
				x = unsafe.Pointer(&foreign[r.IntN(64)])
			}
			wst = cs.PoolPutGeneric(rp, l, x)
			if raw {
				gst = cs.RawPoolPut(l, x)
			} else if cs.PoolPut(l, x); slow == 0 {
				gst = cs.OK
			}
		}
		after := readStack(rp)
		if !raw && slow != 0 {
			// The slow path: the section wrote nothing, and it must
			// take it for every call the generic version does not
			// commit. A Get returns the hook's answer.
			if get && got != unsafe.Pointer(&slowMark) {
				t.Fatalf("op %d: PoolGet called GetSlow but returned %p, not its result", k, got)
			}
			got, gst = want, wst
			if wst == cs.OK {
				// A stopped slot, a thread not registered yet (the
				// module's own registration does it in the slow path)
				// or the abort bound: possible, and nothing written.
				after = before
				ref = [len(ref)]byte{}
				for i, v := range before {
					*(*uint32)(unsafe.Add(rp, 8+4*i)) = v
				}
				*(*uint64)(rp) = uint64(len(before))
			}
		} else if !raw && wst != cs.OK {
			t.Fatalf("op %d: generic %v, but PoolGet or PoolPut did not take the slow path", k, wst)
		}
		if raw && gst != cs.OK && gst != cs.CmpFailed && gst != cs.StNotObject {
			ref = [len(ref)]byte{}
			for i, v := range before {
				*(*uint32)(unsafe.Add(rp, 8+4*i)) = v
			}
			*(*uint64)(rp) = uint64(len(before))
			continue // a status for the slow path: nothing written
		}
		if got != want || gst != wst {
			t.Fatalf("op %d (get %v, x %p, raw %v): asm = %p, %v; generic = %p, %v (hook calls %d)", k, get, x, raw, got, gst, want, wst, slow)
		}
		changed := 0
		for s := range cs.Slots() {
			st := readStack(mem.Slot(s))
			switch {
			case slices.Equal(st, after) && !slices.Equal(after, before):
				changed++
			case slices.Equal(st, before):
			default:
				t.Fatalf("op %d: slot %d holds %v; want %v or, on one slot, %v", k, s, st, before, after)
			}
		}
		if !slices.Equal(after, before) && changed != 1 {
			t.Fatalf("op %d: %d slots changed", k, changed)
		}
	}
}

func TestPoolSectionsGeneric(t *testing.T) {
	mem, err := cs.Alloc(8+4*poolMax, 64)
	if err != nil {
		t.Fatal(err)
	}
	defer mem.Free()
	r := rand.New(rand.NewPCG(5, 6))
	for _, size := range []uintptr{2, 3, 8, 24, 40, 96, 4096 + 24} {
		for _, raw := range []bool{false, true} {
			if raw && !cs.Enabled() {
				continue
			}
			for range 5 {
				checkPool(t, mem, raw, r, size)
			}
		}
	}
	// Every slot stopped: each PoolGet and PoolPut must call its hook,
	// also where the generic version commits (as on a thread the module
	// has not registered yet, which the VM runs see).
	cs.ExclusiveAll(func() {
		for _, size := range []uintptr{3, 40} {
			checkPool(t, mem, false, r, size)
		}
	})
}

// TestPoolIndex: PoolIndex is division for every object and at least N
// for every other offset tried.
func TestPoolIndex(t *testing.T) {
	r := rand.New(rand.NewPCG(7, 8))
	for _, size := range []uintptr{2, 3, 7, 8, 12, 24, 1000, 4096} {
		objs := make([]byte, 100*size)
		slow := 0
		l := poolLayout(cs.Mem{}, objs, 100, size, &slow)
		for range 10000 {
			off := uintptr(r.IntN(len(objs) + 1000))
			if r.IntN(4) == 0 {
				off = uintptr(r.Uint64())
			}
			i := cs.PoolIndexAt(l, off)
			if off < uintptr(len(objs)) && i != cs.PoolIndex(l, unsafe.Pointer(&objs[off])) {
				t.Fatalf("size %d, offset %d: PoolIndex differs from the offset's", size, off)
			}
			if off%size == 0 && off/size < 100 {
				if i != off/size {
					t.Fatalf("size %d, offset %d: index %d", size, off, i)
				}
			} else if i < 100 {
				t.Fatalf("size %d, offset %d (no object's): index %d", size, off, i)
			}
		}
	}
}

// grow uses about n KiB of stack.
//
//go:noinline
func grow(n int) int {
	var b [1024]byte
	b[n%1024] = byte(n)
	if n == 0 {
		return int(b[0])
	}
	return grow(n-1) + int(b[n%1024])
}

// TestPoolHooks: PoolGet and PoolPut call the hooks (here for an empty
// stack and a foreign pointer, in every backend) with Go's conventions:
// the arguments arrive, the result comes back, and the stack may grow,
// be scanned and unwind through the asm's frame (a panic) meanwhile.
func TestPoolHooks(t *testing.T) {
	mem, err := cs.Alloc(8+4*poolMax, 64)
	if err != nil {
		t.Fatal(err)
	}
	defer mem.Free()
	objs := make([]byte, 10*24)
	slow := 0
	l := poolLayout(mem, objs, 10, 24, &slow)
	want := new(int)
	l.GetSlow = func(got *cs.PoolLayout) unsafe.Pointer {
		if got != l {
			t.Errorf("GetSlow(%p), want %p", got, l)
		}
		grow(64)
		runtime.GC()
		return unsafe.Pointer(want)
	}
	var putArg unsafe.Pointer
	l.PutSlow = func(got *cs.PoolLayout, x unsafe.Pointer) {
		if got != l {
			t.Errorf("PutSlow(%p, ...), want %p", got, l)
		}
		grow(64)
		runtime.GC()
		putArg = x
		if x == nil {
			panic("nil")
		}
	}
	for s := range cs.Slots() {
		*(*uint64)(mem.Slot(s)) = 0 // empty: Get takes the hook
	}
	for range 3 {
		if got := cs.PoolGet(l); got != unsafe.Pointer(want) {
			t.Fatalf("PoolGet = %p, want the hook's %p", got, want)
		}
		foreign := new([3]int)
		cs.PoolPut(l, unsafe.Pointer(foreign))
		if putArg != unsafe.Pointer(foreign) {
			t.Fatalf("PutSlow got %p, want %p", putArg, foreign)
		}
		func() {
			defer func() {
				if r := recover(); r != "nil" {
					t.Fatalf("recovered %v, want the hook's panic", r)
				}
			}()
			cs.PoolPut(l, nil)
		}()
	}
}
