package cs_test

import (
	"bytes"
	"encoding/binary"
	"math/rand/v2"
	"testing"
	"unsafe"

	"github.com/gorseq/rseq/internal/cs"
)

// TestRingPushMatchesGeneric runs the ring sections (raw and exported) and
// their generic version on identical memory, over random rings (mask,
// entry step, tail, limit: empty, partly full, full), values and copy
// lengths: the section must change exactly what the generic version changes
// on the slot it reports, and nothing on any other slot.
func TestRingPushMatchesGeneric(t *testing.T) {
	needCommits(t)
	onSectionThread(t, func() { ringPushMatchesGeneric(t) })
}

func ringPushMatchesGeneric(t *testing.T) {
	const ring, size = cs.RingHeader, cs.RingHeader + 8*64
	m, err := cs.Alloc(size, 64)
	if err != nil {
		t.Error(err)
		return
	}
	defer m.Free()
	rng := rand.New(rand.NewPCG(1, 2))
	n := cs.Slots()
	for iter := range 6000 {
		mask := uint64(1)<<rng.IntN(4) - 1 // 0, 1, 3, 7
		step := uintptr(8 * (1 + rng.IntN(8)))
		tail := rng.Uint64() >> rng.IntN(64)
		used := uint64(rng.IntN(int(mask) + 2)) // up to mask+1: full
		limit := tail - used
		if used > tail {
			limit = 0
		}
		img := make([]byte, size)
		for i := range img {
			img[i] = byte(rng.Uint32())
		}
		binary.LittleEndian.PutUint64(img[0:], tail)
		binary.LittleEndian.PutUint64(img[8:], limit)
		src := make([]byte, step)
		for i := range src {
			src[i] = byte(rng.Uint32())
		}
		word := binary.LittleEndian.Uint64(src)
		cp := uintptr(8)
		kind := iter % 6 // raw word, raw copy, exported word, exported copy, raw records, exported records
		if kind%2 == 1 {
			cp = uintptr(rng.IntN(int(step) + 1))
		}
		// Records: a byte ring of size bytes (16 to 256), a record taking sz
		// bytes (a multiple of 8) of which cp are copied.
		rsize := uint64(16) << rng.IntN(5)
		sz := uint64(8 * (1 + rng.IntN(int(rsize/8))))
		if kind >= 4 {
			cp = uintptr(rng.IntN(int(min(sz, uint64(step))) + 1))
			used := uint64(rng.IntN(int(rsize) + 1))
			limit = tail - used
			if used > tail {
				limit = 0
			}
			binary.LittleEndian.PutUint64(img[8:], limit)
		}
		for s := range n {
			copy(unsafe.Slice((*byte)(m.Slot(s)), size), img)
		}
		var s int
		var st cs.Status
		l := cs.RingLayout{Base: m.Base(), Stride: m.Stride(), Mask: mask, Step: step}
		if kind%2 == 0 && kind < 4 {
			step = 8 // RingPush's entries are words
		}
		switch kind {
		case 0:
			s, st = cs.RawRingPush(&l, word)
		case 1:
			s, st = cs.RawRingPushCopy(&l, unsafe.Pointer(&src[0]), cp)
		case 2:
			s, st = cs.RingPush(&l, word)
		case 3:
			s, st = cs.RingPushCopy(&l, unsafe.Pointer(&src[0]), cp)
		case 4:
			l.Mask = rsize - 1
			s, st = cs.RawRecordsPush(&l, unsafe.Pointer(&src[0]), cp, sz)
		case 5:
			l.Mask = rsize - 1
			s, st = cs.RecordsPush(&l, unsafe.Pointer(&src[0]), cp, sz)
		}
		if raw := kind < 2 || kind == 4; raw && st == cs.StNoRSEQ {
			// A raw section on an index out of range (an mm_cid
			// with fewer slots than CPUs): it stored nothing; move
			// into range and take the next case.
			if idx, _ := cs.RawCurrent(); idx >= n {
				for q := range n {
					if !bytes.Equal(unsafe.Slice((*byte)(m.Slot(q)), size), img) {
						t.Errorf("iter %d: a section out of range wrote slot %d", iter, q)
						return
					}
				}
				restore, err := cs.MoveInRange()
				if err != nil {
					t.Error(err)
					return
				}
				defer restore()
				continue
			}
		}
		if s < 0 || s >= n {
			t.Errorf("iter %d: slot %d out of range", iter, s)
			return
		}
		want := bytes.Clone(img)
		var wst cs.Status
		if kind >= 4 {
			wst = cs.RecordsPushGeneric(unsafe.Pointer(&want[0]), ring, rsize, unsafe.Pointer(&src[0]), cp, sz)
		} else {
			wst = cs.RingPushGeneric(unsafe.Pointer(&want[0]), ring, mask, step, unsafe.Pointer(&src[0]), cp)
		}
		if st != wst {
			t.Errorf("iter %d (kind %d, mask %d, step %d, tail %d, limit %d): status %v, generic %v", iter, kind, mask, step, tail, limit, st, wst)
			return
		}
		// The entry (or record) at the tail: an attempt that aborted on
		// another slot may have left part of a copy there, beyond that
		// slot's tail, which nothing publishes.
		lo, hi := ring+uintptr(tail&mask)*step, ring+uintptr(tail&mask+1)*step
		if kind >= 4 {
			lo = ring + uintptr(tail&(rsize-1))
			hi = lo + uintptr(sz)
		}
		for q := range n {
			got := unsafe.Slice((*byte)(m.Slot(q)), size)
			exp := img
			if q == s {
				exp = want
			} else {
				// Another slot: all as it was but that entry.
				got = append(bytes.Clone(got[:lo]), got[min(hi, size):]...)
				exp = append(bytes.Clone(img[:lo]), img[min(hi, size):]...)
			}
			if !bytes.Equal(got, exp) {
				t.Errorf("iter %d (kind %d, mask %d, step %d, n %d, tail %d, limit %d): slot %d (pushed to %d) differs from the generic version", iter, kind, mask, step, cp, tail, limit, q, s)
				return
			}
		}
	}
}

// TestRingPushCopyTooLong: n above MaxMemcpy panics.
func TestRingPushCopyTooLong(t *testing.T) {
	m, err := cs.Alloc(128, 64)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Free()
	defer func() {
		if recover() == nil {
			t.Error("RingPushCopy with n > MaxMemcpy did not panic")
		}
	}()
	var b [8]byte
	l := cs.RingLayout{Base: m.Base(), Stride: m.Stride(), Step: 8}
	cs.RingPushCopy(&l, unsafe.Pointer(&b), cs.MaxMemcpy+1)
}
