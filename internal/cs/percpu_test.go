package cs_test

import (
	"bytes"
	"math/rand/v2"
	"runtime"
	"slices"
	"testing"
	"unsafe"

	"github.com/gorseq/rseq/internal/cs"
)

// The PerCPU entry points against their generic versions, as
// TestHereGeneric: every slot's copy starts alike (two lists over
// percpuNodes nodes, some nodes on neither), and an entry point must do
// what the generic version does, on exactly one slot (none when it does
// not commit).

const (
	percpuNodes = 8
	percpuA     = 16                  // list A's links, from the heads
	percpuB     = 16 + 8*percpuNodes  // list B's links
	percpuSize  = 16 + 16*percpuNodes // one slot's copy
	percpuEnd   = ^uint64(0)
)

// randomLists fills ref with two random lists over the nodes; each node is
// on A, on B or on neither (owned), with random links for the lists it is
// not on.
func randomLists(r *rand.Rand, ref []uint64) (owned []uint64) {
	for i := range ref {
		ref[i] = r.Uint64N(percpuNodes)
	}
	ha, hb := percpuEnd, percpuEnd
	for _, x := range r.Perm(percpuNodes) {
		switch r.IntN(3) {
		case 0:
			ref[percpuA/8+x], ha = ha, uint64(x)
		case 1:
			ref[percpuB/8+x], hb = hb, uint64(x)
		default:
			owned = append(owned, uint64(x))
		}
	}
	ref[0], ref[1] = ha, hb
	return owned
}

func slotWords(mem cs.Mem, s int) []uint64 {
	return unsafe.Slice((*uint64)(mem.Slot(s)), percpuSize/8)
}

func checkPerCPU(t *testing.T, mem cs.Mem, raw bool, r *rand.Rand, size uintptr) {
	t.Helper()
	vals := make([]byte, percpuNodes*size+1)
	for i := range vals {
		vals[i] = byte(r.Uint32())
	}
	slow := 0
	l := &cs.PerCPULayout{Base: mem.Base(), Stride: mem.Stride(), LinksA: percpuA, LinksB: percpuB,
		Values: unsafe.Pointer(&vals[0]), Size: size, Copy: size,
		PopSlow: func(*cs.PerCPULayout, unsafe.Pointer) bool { slow++; return false }}
	for k := range 300 {
		ref := make([]uint64, percpuSize/8)
		owned := randomLists(r, ref)
		before := append([]uint64(nil), ref...)
		for s := range cs.Slots() {
			copy(slotWords(mem, s), ref)
		}
		rp := unsafe.Pointer(&ref[0])
		slow = 0
		op := r.IntN(3)
		if op == 2 && len(owned) == 0 {
			op = 0
		}
		var gst, wst cs.Status
		var got, want [4096 + 8]byte
		var gp, wp unsafe.Pointer
		var gx, wx, pubX uint64
		switch op {
		case 0:
			wst = cs.PerCPUPopGeneric(rp, l, unsafe.Pointer(&want))
			if raw {
				gst = cs.RawPerCPUPop(l, unsafe.Pointer(&got))
			} else if cs.PerCPUPop(l, unsafe.Pointer(&got)) {
				gst = cs.OK
			} else {
				gst = cs.CmpFailed
			}
			if wst != cs.OK {
				want = got // dst is undefined then
			}
		case 1:
			wp, wx, wst = cs.PerCPUClaimGeneric(rp, l)
			if raw {
				gp, gx, gst = cs.RawPerCPUClaim(l)
			} else if gp, gx = cs.PerCPUClaim(l); gp != nil {
				gst = cs.OK
			} else {
				gst, gx = cs.CmpFailed, wx
				if wst == cs.OK {
					slow++ // nil for a list that has a node: the section could not run
				}
			}
		case 2:
			x := owned[r.IntN(len(owned))]
			gx, wx, pubX = x, x, x
			cs.PerCPUPublishGeneric(rp, l, x)
			wst = cs.OK
			if raw {
				gst = cs.RawPerCPUPublish(l, x)
			} else {
				cs.PerCPUPublish(l, x)
				gst = cs.OK
			}
		}
		after := ref
		if raw && gst != cs.OK && gst != cs.CmpFailed {
			after, gst, wst, gp, wp, gx, wx, want = before, 0, 0, nil, nil, 0, 0, got // nothing written
		}
		if !raw && slow != 0 {
			if op == 0 && wst == cs.CmpFailed {
				// The hook for an empty list, as it must be.
			} else {
				// The section could not run: nothing written.
				after, gst, wst, gp, wp, gx, wx, want = before, 0, 0, nil, nil, 0, 0, got
			}
		} else if !raw && op == 0 && wst == cs.CmpFailed {
			t.Fatalf("op %d: PerCPUPop of an empty list did not call PopSlow", k)
		}
		if gst != wst || gp != wp || gx != wx || !bytes.Equal(got[:size], want[:size]) {
			t.Fatalf("op %d (kind %d, size %d): asm = %v %p %d %x; generic = %v %p %d %x", k, op, size,
				gst, gp, gx, got[:size], wst, wp, wx, want[:size])
		}
		// An aborted attempt may leave its try-store on a slot where no
		// attempt committed: pop's link of list B for list A's first node,
		// publish's link of list A for the node it owns. Both are links of
		// a node that no list of that slot holds through them.
		loose := -1
		switch {
		case op == 0 && before[0] != percpuEnd:
			loose = percpuB/8 + int(before[0])
		case op == 2:
			loose = percpuA/8 + int(pubX)
		}
		// Without the PerCPU sections a pop is two sections (list A's pop,
		// then list B's push), which a migration between them puts on two
		// slots: one slot with only list A's pop done, another with only
		// list B's push.
		var popped, pushed []uint64
		if !cs.PerCPUSections && op == 0 && wst == cs.OK && !slices.Equal(after, before) {
			x := before[0]
			popped = slices.Clone(before)
			popped[0] = after[0]
			pushed = slices.Clone(before)
			pushed[1], pushed[percpuB/8+int(x)] = after[1], after[percpuB/8+int(x)]
		}
		changed, halves := 0, [2]int{}
		for s := range cs.Slots() {
			w := slotWords(mem, s)
			wl := slices.Clone(w)
			if loose >= 0 {
				wl[loose] = before[loose]
			}
			switch {
			case slices.Equal(w, after) && !slices.Equal(after, before):
				changed++
			case slices.Equal(wl, before):
			case popped != nil && slices.Equal(w, popped):
				halves[0]++
			case pushed != nil && slices.Equal(w, pushed):
				halves[1]++
			default:
				t.Fatalf("op %d (kind %d): slot %d holds %v; want %v or, on one slot, %v", k, op, s, w, before, after)
			}
		}
		one := changed == 1 && halves == [2]int{}
		split := changed == 0 && halves == [2]int{1, 1}
		if !slices.Equal(after, before) && !one && !split {
			t.Fatalf("op %d (kind %d): %d slots changed (%d and %d halves of a pop)", k, op, changed, halves[0], halves[1])
		}
	}
}

func TestPerCPUSectionsGeneric(t *testing.T) {
	mem, err := cs.Alloc(percpuSize, 64)
	if err != nil {
		t.Fatal(err)
	}
	defer mem.Free()
	r := rand.New(rand.NewPCG(9, 10))
	for _, size := range []uintptr{0, 1, 3, 8, 16, 24, 100, 4096} {
		for _, raw := range []bool{false, true} {
			if raw && (!cs.Enabled() || !cs.PerCPUSections) {
				continue
			}
			for range 5 {
				checkPerCPU(t, mem, raw, r, size)
			}
		}
	}
}

// TestPerCPUPopHook: PerCPUPop calls PopSlow (here for an empty list, and
// for a Copy above MaxMemcpy, in every backend) with Go's conventions:
// the arguments arrive, the result comes back, dst (a variable on the
// caller's stack) stays right while the stack grows and is scanned, and a
// panic unwinds through the asm's frame.
func TestPerCPUPopHook(t *testing.T) {
	mem, err := cs.Alloc(percpuSize, 64)
	if err != nil {
		t.Fatal(err)
	}
	defer mem.Free()
	for s := range cs.Slots() {
		w := slotWords(mem, s)
		w[0], w[1] = percpuEnd, percpuEnd // empty
	}
	vals := make([]*int, percpuNodes)
	l := &cs.PerCPULayout{Base: mem.Base(), Stride: mem.Stride(), LinksA: percpuA, LinksB: percpuB,
		Values: unsafe.Pointer(&vals[0]), Size: 8, Copy: 8}
	want := new(int)
	*want = 42
	l.PopSlow = func(got *cs.PerCPULayout, dst unsafe.Pointer) bool {
		if got != l {
			t.Errorf("PopSlow(%p, ...), want %p", got, l)
		}
		grow(64)
		runtime.GC()
		if l.Size == 0 {
			panic("zero")
		}
		*(**int)(dst) = want
		return true
	}
	for _, c := range []uintptr{8, cs.MaxMemcpy + 1} {
		l.Copy = c
		for range 3 {
			var v *int
			if ok := cs.PerCPUPop(l, unsafe.Pointer(&v)); !ok || v != want {
				t.Fatalf("Copy %d: PerCPUPop = %v, value %p; want the hook's true, %p", c, ok, v, want)
			}
			grow(64)
			if *v != 42 {
				t.Fatalf("Copy %d: the hook's value reads %d", c, *v)
			}
		}
	}
	func() {
		defer func() {
			if r := recover(); r != "zero" {
				t.Fatalf("recovered %v, want the hook's panic", r)
			}
		}()
		l.Size = 0
		var v *int
		cs.PerCPUPop(l, unsafe.Pointer(&v))
	}()
}
