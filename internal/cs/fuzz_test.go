package cs_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"strings"
	"testing"
	"unsafe"

	"github.com/gorseq/rseq/internal/cs"
)

// FuzzOpv decodes random bytes into a slot and an op vector over two test
// buffers (random kinds, invalid ones included; nil, aligned and unaligned
// addresses; memcpy lengths in and out of range; more ops than MaxOps) and
// checks Opv against a reference interpreter: an invalid vector is
// rejected with an error wrapping ErrInvalidOp that names the first bad
// op, and runs nothing; a valid one leaves the buffers exactly as the
// reference leaves its copies, stopping at the same failed compare, which
// the *CmpError names with the value it found.
func FuzzOpv(f *testing.F) {
	for _, seed := range [][]byte{
		{}, // slot 0, no ops
		// Seed 4: words 0 to 3 hold 0, 1, 2, 3. A valid mix: cmpeq word 0
		// == 0, cmpne word 1 != 3, add 1 to word 2, store 2 to word 3,
		// memcpy 100 bytes.
		vec(0, 4,
			rec(1, 0, 0, 0, 0), rec(2, 1, 0, 3, 0), rec(4, 2, 0, 1, 0),
			rec(3, 3, 0, 2, 0), rec(5, 1, 3, 7, 1, 100, 0)),
		// Seed 5: words 0 to 4 hold 1, 2, 3, 0, 1. An add, then a cmpeq
		// that fails (word 1 holds 2): the add stays, the store after it
		// does not run.
		vec(1, 5, rec(4, 0, 0, 3, 0), rec(1, 1, 0, 0, 0), rec(3, 0, 0, 1, 0)),
		// A cmpne that fails (word 4 holds 1).
		vec(0, 5, rec(2, 4, 0, 1, 0), rec(3, 4, 0, 9, 0)),
		// An add that wraps (a negative value) and a large store.
		vec(0, 7, rec(4, 5, 0, 2, 2), rec(3, 6, 0, 0xAB, 1)),
		// Memcpy: empty, MaxMemcpy bytes, nil Src with Len 0 (valid).
		vec(0, 0, rec(5, 0, 0, 0, 0, 0, 0), rec(5, 10, 5, 1, 2, 0, 0x10), rec(5, 3, 0, 0, 0xFF, 0, 0)),
		// Invalid: unknown kinds (0, and a raw 0xF3), nil Addr, an
		// unaligned word, Len 4097 and -2, nil Src with Len 8, 17 ops,
		// slots -1, Slots() and a huge one.
		vec(0, 3, rec(1, 0, 0, 0, 0), rec(0, 0, 0, 0, 0)),
		vec(0, 3, rec(4, 0, 0, 0, 0), rec(0xF3, 0, 0, 0, 0)),
		vec(0, 3, rec(3, 0, 0xFF, 1, 0)),
		vec(0, 3, rec(3, 1, 0x83, 1, 0)),
		vec(0, 3, rec(5, 1, 1, 1, 1, 0, 0xC0)),
		vec(0, 3, rec(5, 1, 1, 1, 1, 1, 0xC0)),
		vec(0, 3, rec(5, 1, 1, 0, 0xFF, 8, 0)),
		append([]byte{0, 1, 17}, bytes.Repeat(rec(3, 0, 0, 1, 0), 17)...),
		vec(0xF0, 0, rec(3, 0, 0, 1, 0)),
		vec(0xF1, 0, rec(3, 0, 0, 1, 0)),
		vec(0xF2, 0, rec(3, 0, 0, 1, 0)),
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		checkOpv(t, decodeOpv(data))
	})
}

// Test buffers: memcpy destinations and every word lie in dst; sources in
// src, which no op writes. Words are in dst's first wordArea bytes, which
// start with small values, so that compares succeed often.
const (
	dstSize  = 2*4096 + cs.MaxMemcpy // room for a MaxMemcpy copy at any decoded offset
	srcSize  = dstSize
	wordArea = 32 * 8
	recLen   = 8 // bytes per encoded op
)

// A refOp is a decoded op as offsets, for the reference interpreter; the
// real op points into the fuzz case's buffers.
type refOp struct {
	kind   cs.OpKind
	off    int // into dst; -1: nil Addr
	value  uint64
	srcOff int // into src; -1: nil Src
	n      int
}

type opvCase struct {
	slot     int
	ops      []refOp
	dst, src []byte // initial contents
}

// vec encodes a fuzz input: the slot byte, the initial-contents seed, the
// op count, then the ops.
func vec(slot, seed byte, ops ...[]byte) []byte {
	b := []byte{slot, seed, byte(len(ops))}
	for _, op := range ops {
		b = append(b, op...)
	}
	return b
}

// rec encodes one op: the kind byte, two address bytes, then up to five
// bytes (value, or Src and Len for memcpy), zero-padded.
func rec(kind, a0, a1 byte, rest ...byte) []byte {
	b := make([]byte, recLen)
	b[0], b[1], b[2] = kind, a0, a1
	copy(b[3:], rest)
	return b
}

// decodeOpv turns fuzz bytes into a case; missing bytes read as zero.
//
//	[0] slot: below 0xF0 a valid slot (mod Slots()); else -1, Slots(), or
//	    a large one
//	[1] seed of the buffers' initial contents
//	[2] op count, mod MaxOps+4 (so some vectors are too long)
//	then 8 bytes per op: kind, a0, a1, x0..x4
//	  kind: mod 8 (0, 6 and 7 are unknown kinds), or the raw byte from 0xF0
//	  word ops: Addr = word a0%32, plus a1&7 bytes if a1&0x80 (unaligned);
//	    a1 == 0xFF: nil. Value = x0%4, or x0 spread over the word if x1&1,
//	    and complemented (a negative add) if x1&2.
//	  memcpy: Addr = a0*32 + a1&31 (a1 == 0xFF: nil), Src = x0*32 + x1&31
//	    (x1 == 0xFF: nil); Len from x2, x3: x3>>6 == 3 gives out-of-range
//	    lengths (MaxMemcpy+1+x2 if x2 is even, else -1-x2), otherwise
//	    (x3&0x3F<<8 | x2) mod MaxMemcpy+1.
func decodeOpv(data []byte) opvCase {
	at := func(i int) byte {
		if i < len(data) {
			return data[i]
		}
		return 0
	}
	var c opvCase
	switch s := at(0); {
	case s < 0xF0:
		c.slot = int(s) % cs.Slots()
	case s%3 == 0:
		c.slot = -1
	case s%3 == 1:
		c.slot = cs.Slots()
	default:
		c.slot = math.MaxInt
	}
	seed := at(1)
	c.dst, c.src = make([]byte, dstSize), make([]byte, srcSize)
	for i := range c.dst {
		c.dst[i] = byte(i*7) + seed
		c.src[i] = byte(i*13) ^ seed
	}
	for w := range wordArea / 8 {
		binary.NativeEndian.PutUint64(c.dst[8*w:], uint64(int(seed)+w)%4)
	}
	n := int(at(2)) % (cs.MaxOps + 4)
	for i := range n {
		b := func(j int) byte { return at(3 + recLen*i + j) }
		op := refOp{kind: cs.OpKind(b(0) % 8), off: -1, srcOff: -1}
		if b(0) >= 0xF0 {
			op.kind = cs.OpKind(b(0))
		}
		a0, a1 := b(1), b(2)
		if op.kind == cs.OpMemcpy {
			if a1 != 0xFF {
				op.off = int(a0)*32 + int(a1&31)
			}
			if b(4) != 0xFF {
				op.srcOff = int(b(3))*32 + int(b(4)&31)
			}
			x2, x3 := int(b(5)), int(b(6))
			switch {
			case x3>>6 == 3 && x2%2 == 0:
				op.n = cs.MaxMemcpy + 1 + x2
			case x3>>6 == 3:
				op.n = -1 - x2
			default:
				op.n = (x3&0x3F<<8 | x2) % (cs.MaxMemcpy + 1)
			}
		} else {
			if a1 != 0xFF {
				op.off = int(a0%32) * 8
				if a1&0x80 != 0 {
					op.off += int(a1 & 7)
				}
			}
			x0, x1 := b(3), b(4)
			op.value = uint64(x0 % 4)
			if x1&1 != 0 {
				op.value = uint64(x0) * 0x0101010101010101
			}
			if x1&2 != 0 {
				op.value = ^op.value
			}
		}
		c.ops = append(c.ops, op)
	}
	return c
}

// refValidate returns the reason the reference rejects c, naming what
// Opv's error must name, or "" if c is valid.
func refValidate(c opvCase) string {
	if c.slot < 0 || c.slot >= cs.Slots() {
		return fmt.Sprintf("slot %d", c.slot)
	}
	if len(c.ops) > cs.MaxOps {
		return fmt.Sprintf("%d ops, at most %d", len(c.ops), cs.MaxOps)
	}
	for i, op := range c.ops {
		bad := false
		switch op.kind {
		case cs.OpCmpEq, cs.OpCmpNe, cs.OpStore, cs.OpAdd:
			bad = op.off < 0 || op.off%8 != 0
		case cs.OpMemcpy:
			bad = op.off < 0 || op.n < 0 || op.n > cs.MaxMemcpy || op.srcOff < 0 && op.n > 0
		default:
			bad = true
		}
		if bad {
			return fmt.Sprintf("op %d ", i)
		}
	}
	return ""
}

// refRun runs a valid case on dst and returns the index of the compare
// that failed and the value it found, or -1.
func refRun(c opvCase, dst []byte) (int, uint64) {
	for i, op := range c.ops {
		word := func() uint64 { return binary.NativeEndian.Uint64(dst[op.off:]) }
		switch op.kind {
		case cs.OpCmpEq, cs.OpCmpNe:
			if found := word(); (found == op.value) != (op.kind == cs.OpCmpEq) {
				return i, found
			}
		case cs.OpStore:
			binary.NativeEndian.PutUint64(dst[op.off:], op.value)
		case cs.OpAdd:
			binary.NativeEndian.PutUint64(dst[op.off:], word()+op.value)
		case cs.OpMemcpy:
			if op.n > 0 {
				copy(dst[op.off:op.off+op.n], c.src[op.srcOff:])
			}
		}
	}
	return -1, 0
}

// checkOpv runs c through Opv on real buffers and through the reference
// on copies, and compares.
func checkOpv(t *testing.T, c opvCase) {
	// Real buffers, 8-byte aligned, holding the initial contents.
	dw, sw := make([]uint64, dstSize/8), make([]uint64, srcSize/8)
	dst := unsafe.Slice((*byte)(unsafe.Pointer(&dw[0])), dstSize)
	src := unsafe.Slice((*byte)(unsafe.Pointer(&sw[0])), srcSize)
	copy(dst, c.dst)
	copy(src, c.src)
	ops := make([]cs.Op, len(c.ops))
	for i, r := range c.ops {
		op := cs.Op{Kind: r.kind, Value: r.value, Len: r.n}
		if r.off >= 0 {
			op.Addr = unsafe.Pointer(&dst[r.off])
		}
		if r.srcOff >= 0 {
			op.Src = unsafe.Pointer(&src[r.srcOff])
		}
		ops[i] = op
	}
	err := cs.Opv(c.slot, ops)

	if !bytes.Equal(src, c.src) {
		t.Fatalf("Opv wrote to the source buffer (%v)", err)
	}
	if why := refValidate(c); why != "" {
		if !errors.Is(err, cs.ErrInvalidOp) || !strings.Contains(err.Error(), why) {
			t.Fatalf("slot %d, ops %+v: Opv returned %v, want an ErrInvalidOp naming %q", c.slot, c.ops, err, why)
		}
		if !bytes.Equal(dst, c.dst) {
			t.Fatalf("rejected vector (%v) changed the buffer at byte %d", err, firstDiff(dst, c.dst))
		}
		return
	}
	want := bytes.Clone(c.dst)
	failed, found := refRun(c, want)
	var ce *cs.CmpError
	switch {
	case failed < 0 && err != nil:
		t.Fatalf("ops %+v: Opv returned %v, want nil", c.ops, err)
	case failed >= 0 && !errors.As(err, &ce):
		t.Fatalf("ops %+v: Opv returned %v, want a *CmpError for op %d", c.ops, err, failed)
	case failed >= 0 && (ce.Index != failed || ce.Found != found || ce.Op != ops[failed]):
		t.Fatalf("ops %+v: CmpError index %d found %d op %+v, want index %d found %d op %+v",
			c.ops, ce.Index, ce.Found, ce.Op, failed, found, ops[failed])
	}
	if !bytes.Equal(dst, want) {
		i := firstDiff(dst, want)
		t.Fatalf("ops %+v (%v): buffer differs from the reference at byte %d: %#x, want %#x",
			c.ops, err, i, dst[i], want[i])
	}
}

func firstDiff(a, b []byte) int {
	for i := range a {
		if a[i] != b[i] {
			return i
		}
	}
	return -1
}
