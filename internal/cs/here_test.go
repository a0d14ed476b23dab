package cs_test

import (
	"math/rand/v2"
	"slices"
	"testing"
	"unsafe"

	"github.com/gorseq/rseq/internal/cs"
)

// The sections on the current slot against their generic versions. The asm
// picks its slot itself, so every slot's copy starts alike: whichever slot
// the thread is on, the section must do what the generic one does to a Go
// copy, on exactly one slot (none when it fails).

// hereMem is one slot's copy: a stack of up to hereMax indices (count, then
// the indices from byte 8), then a list of nodes 0..hereNodes-1 (head, then
// the links); hereEnd ends the list.
const (
	hereMax   = 8
	hereNodes = 8
	hereEnd   = 99
	stackLen  = 8 + 4*hereMax
	listOff   = 64
	hereSize  = listOff + 8 + 8*hereNodes
)

// hereState is the meaning of one copy: the stack's indices and the list's
// nodes in order. Bytes that no count or link reaches (left by an aborted
// try-store) do not matter.
type hereState struct {
	stack []uint32
	list  []uint64
}

func readHere(p unsafe.Pointer) hereState {
	var st hereState
	n := *(*uint64)(p)
	for i := range min(n, hereMax+1) {
		st.stack = append(st.stack, *(*uint32)(unsafe.Add(p, 8+4*i)))
	}
	if n > hereMax {
		st.stack = append(st.stack, 1<<31) // a count past the bound
	}
	h := unsafe.Add(p, listOff)
	for x, k := *(*uint64)(h), 0; x != hereEnd && k <= hereNodes; x, k = *(*uint64)(unsafe.Add(h, 8+8*x)), k+1 {
		st.list = append(st.list, x)
		if x >= hereNodes {
			break
		}
	}
	return st
}

func (a hereState) equal(b hereState) bool {
	return slices.Equal(a.stack, b.stack) && slices.Equal(a.list, b.list)
}

// hereOp is one call: kind 0 stack pop, 1 stack push, 2 list pop, 3 list
// push (of a node not on the list).
type hereOp struct {
	kind uint8
	x    uint32
	max  uint64
}

func (o hereOp) run(raw bool, base unsafe.Pointer, stride uintptr) (uint64, cs.Status) {
	head := unsafe.Add(base, listOff)
	switch o.kind % 4 {
	case 0:
		if raw {
			x, st := cs.RawStackPop(base, stride)
			return uint64(x), st
		}
		x, st := cs.StackPop(base, stride)
		return uint64(x), st
	case 1:
		if raw {
			return 0, cs.RawStackPush(base, stride, o.x, o.max)
		}
		return 0, cs.StackPush(base, stride, o.x, o.max)
	case 2:
		if raw {
			return cs.RawListPopHere(head, stride, 8, hereEnd)
		}
		return cs.ListPopHere(head, stride, 8, hereEnd)
	default:
		if raw {
			return 0, cs.RawListPushHere(head, stride, 8, uint64(o.x))
		}
		cs.ListPushHere(head, stride, 8, uint64(o.x))
		return 0, cs.OK
	}
}

func (o hereOp) generic(p unsafe.Pointer) (uint64, cs.Status) {
	head := unsafe.Add(p, listOff)
	switch o.kind % 4 {
	case 0:
		x, st := cs.StackPopGeneric(p)
		return uint64(x), st
	case 1:
		return 0, cs.StackPushGeneric(p, o.x, o.max)
	case 2:
		return cs.ListPopAtGeneric(head, 8, hereEnd)
	default:
		cs.ListPushAtGeneric(head, 8, uint64(o.x))
		return 0, cs.OK
	}
}

// checkHere runs ops through the raw or exported sections and the generic
// versions.
func checkHere(t *testing.T, mem cs.Mem, raw bool, ops []hereOp) {
	t.Helper()
	var ref [hereSize / 8]uint64
	rp := unsafe.Pointer(&ref)
	*(*uint64)(unsafe.Add(rp, listOff)) = hereEnd
	onList := make([]bool, hereNodes)
	for k, o := range ops {
		// A list push needs a node not on the list.
		if o.kind%4 == 3 {
			free := -1
			for i, on := range onList {
				if !on {
					free = i
					break
				}
			}
			if free < 0 {
				continue
			}
			o.x = uint32(free)
		}
		for s := range cs.Slots() {
			copy(unsafe.Slice((*byte)(mem.Slot(s)), hereSize), unsafe.Slice((*byte)(rp), hereSize))
		}
		before := readHere(rp)
		got, gst := o.run(raw, mem.Base(), mem.Stride())
		if raw && (gst != cs.OK && gst != cs.CmpFailed) {
			continue // a status for the slow path (no rseq here, a stopped slot): nothing written
		}
		want, wst := o.generic(rp)
		after := readHere(rp)
		if got != want || gst != wst {
			t.Fatalf("op %d %+v: asm = %d, %v; generic = %d, %v", k, o, got, gst, want, wst)
		}
		changed := 0
		for s := range cs.Slots() {
			st := readHere(mem.Slot(s))
			switch {
			case st.equal(after) && !after.equal(before):
				changed++
			case st.equal(before):
			default:
				t.Fatalf("op %d %+v: slot %d holds %+v; want %+v or, on one slot, %+v", k, o, s, st, before, after)
			}
		}
		if !after.equal(before) && changed != 1 {
			t.Fatalf("op %d %+v: %d slots changed", k, o, changed)
		}
		switch o.kind % 4 {
		case 2:
			if gst == cs.OK {
				onList[got] = false
			}
		case 3:
			onList[o.x] = true
		}
	}
}

func randomHereOps(r *rand.Rand, n int) []hereOp {
	ops := make([]hereOp, n)
	for i := range ops {
		ops[i] = hereOp{kind: uint8(r.IntN(4)), x: r.Uint32(), max: uint64(r.IntN(hereMax + 1))}
	}
	return ops
}

func TestHereGeneric(t *testing.T) {
	mem, err := cs.Alloc(hereSize, 64)
	if err != nil {
		t.Fatal(err)
	}
	defer mem.Free()
	r := rand.New(rand.NewPCG(3, 4))
	for _, raw := range []bool{false, true} {
		if raw && !cs.Enabled() {
			continue // the raw sections exist in the RSEQ backend only
		}
		for range 20 {
			checkHere(t, mem, raw, randomHereOps(r, 200))
		}
	}
}

func FuzzHere(f *testing.F) {
	f.Add([]byte{0, 1, 1, 0, 2, 3, 3, 2})
	mem, err := cs.Alloc(hereSize, 64)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		ops := make([]hereOp, 0, len(b))
		for _, c := range b {
			ops = append(ops, hereOp{kind: c & 3, x: uint32(c >> 2), max: uint64(c>>2) % (hereMax + 1)})
		}
		checkHere(t, mem, cs.Enabled() && len(b)%2 == 1, ops)
	})
}

// TestExclusivePair: inside f both slots are stopped (with two slots, every
// raw section diverts), and out-of-range slots panic.
func TestExclusivePair(t *testing.T) {
	mem, err := cs.Alloc(hereSize, 64)
	if err != nil {
		t.Fatal(err)
	}
	defer mem.Free()
	n := cs.Slots()
	ran := false
	cs.ExclusivePair(0, n-1, func() {
		ran = true
		if cs.Enabled() && n <= 2 && !cs.ForcedAborts {
			onSectionThread(t, func() {
				if _, st := cs.RawStackPop(mem.Base(), mem.Stride()); st != cs.StStopped {
					t.Errorf("a section with slots 0 and %d stopped: %v", n-1, st)
				}
			})
		}
	})
	if !ran {
		t.Fatal("f did not run")
	}
	defer func() {
		if recover() == nil {
			t.Error("ExclusivePair with a slot out of range did not panic")
		}
	}()
	cs.ExclusivePair(0, n, func() {})
}

// The list move-copy section against its generic version: every slot's
// copy starts alike (two lists drawn at random, values of a size drawn
// from sizes), and the section must do to exactly one slot what the
// generic version does to a Go copy (nothing when it fails), and copy the
// same bytes out.
const (
	mcNodes  = 6
	mcLinksA = 16
	mcLinksB = mcLinksA + 8*mcNodes
	mcSize   = mcLinksB + 8*mcNodes
)

type mcState struct{ a, b []uint64 }

func readMC(p unsafe.Pointer) mcState {
	walk := func(head, links uintptr) (l []uint64) {
		for x, k := *(*uint64)(unsafe.Add(p, head)), 0; x != ^uint64(0) && k <= mcNodes; x, k = *(*uint64)(unsafe.Add(p, links+8*uintptr(x))), k+1 {
			l = append(l, x)
			if x >= mcNodes {
				break
			}
		}
		return l
	}
	return mcState{walk(0, mcLinksA), walk(8, mcLinksB)}
}

func (a mcState) equal(b mcState) bool { return slices.Equal(a.a, b.a) && slices.Equal(a.b, b.b) }

func TestListMoveCopyGeneric(t *testing.T) {
	mem, err := cs.Alloc(mcSize, 64)
	if err != nil {
		t.Fatal(err)
	}
	defer mem.Free()
	r := rand.New(rand.NewPCG(5, 6))
	for _, raw := range []bool{false, true} {
		if raw && !cs.Enabled() {
			continue
		}
		for _, size := range []uintptr{0, 1, 3, 8, 13, 24, 100} {
			vals := make([]byte, size*mcNodes+1)
			for i := range vals {
				vals[i] = byte(r.Uint32())
			}
			for k := range 300 {
				// The nodes, shuffled, split between list A and list B.
				var ref [mcSize / 8]uint64
				rp := unsafe.Pointer(&ref)
				perm := r.Perm(mcNodes)
				n := r.IntN(mcNodes + 1)
				for i, part := range [][]int{perm[:n], perm[n:]} {
					head, links := uintptr(8*i), uintptr(mcLinksA+i*(mcLinksB-mcLinksA))
					h := ^uint64(0)
					for _, x := range part {
						*(*uint64)(unsafe.Add(rp, links+8*uintptr(x))) = h
						h = uint64(x)
					}
					*(*uint64)(unsafe.Add(rp, head)) = h
				}
				for s := range cs.Slots() {
					copy(unsafe.Slice((*byte)(mem.Slot(s)), mcSize), unsafe.Slice((*byte)(rp), mcSize))
				}
				d := cs.ListPair{Base: mem.Base(), Stride: mem.Stride(), LinksA: mcLinksA, LinksB: mcLinksB, Values: unsafe.Pointer(&vals[0]), Size: size}
				before := readMC(rp)
				got, want := make([]byte, size+1), make([]byte, size+1)
				var gst cs.Status
				if raw {
					if gst = cs.RawListMoveCopy(&d, unsafe.Pointer(&got[0])); gst != cs.OK && gst != cs.CmpFailed {
						continue // a status for the slow path: nothing written
					}
				} else {
					gst = cs.ListMoveCopy(&d, unsafe.Pointer(&got[0]))
				}
				gd := d
				gd.Base = rp
				wst := cs.ListMoveCopyGeneric(rp, &gd, unsafe.Pointer(&want[0]))
				after := readMC(rp)
				if gst != wst || (gst == cs.OK && !slices.Equal(got, want)) {
					t.Fatalf("size %d, case %d (raw %v): asm = %v, %x; generic = %v, %x", size, k, raw, gst, got, wst, want)
				}
				changed := 0
				for s := range cs.Slots() {
					st := readMC(mem.Slot(s))
					switch {
					case st.equal(after) && !after.equal(before):
						changed++
					case st.equal(before):
					default:
						t.Fatalf("size %d, case %d: slot %d holds %+v; want %+v or, on one slot, %+v", size, k, s, st, before, after)
					}
				}
				if (gst == cs.OK) != (changed == 1) || changed > 1 {
					t.Fatalf("size %d, case %d: %v with %d slots changed", size, k, gst, changed)
				}
			}
		}
	}
}
