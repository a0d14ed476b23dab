package cs

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
)

// Signature is the rseq signature of the abort handlers: on aarch64 the
// instruction word BRK #0x45e0 (glibc's and librseq's), placed before every
// abort handler so that it traps if ever executed.
const Signature = 0xd428bc00

// The start and post-commit markers (START_MARKER and POST_MARKER in
// sections_arm64.h, which emit these words): MOVZ XZR, #imm16, a move to
// the zero register, which does nothing; the immediates make them
// recognisable.
const (
	movzXZR   = 0xd2800000 | 31 // MOVZ (64-bit), hw 0, Rd = XZR
	startMark = movzXZR | 0x5e91<<5
	postMark  = movzXZR | 0x5e92<<5
)

// instrAlign is the alignment of instructions: marks are found only at
// multiples of 4 from the function's entry.
const instrAlign = 4

var (
	startMarker = binary.LittleEndian.AppendUint32(nil, startMark)
	postMarker  = binary.LittleEndian.AppendUint32(nil, postMark)
	sigBytes    = binary.LittleEndian.AppendUint32(nil, Signature)
)

// The arm64 asm marks each critical section with two instructions that do
// nothing but are recognisable (moves of chosen immediates to the zero
// register), and ends it with the signature word right before the abort
// handler.

// scanSection finds the section in the code of one function, starting at
// its entry. The caller bounds the window; the marks must come in the order
// start marker, post-commit marker, signature, with no second start marker
// in between (which would mean the scan ran into the next function).
func scanSection(code []byte) (section, error) {
	start := indexAligned(code, startMarker, 0)
	if start < 0 {
		return section{}, errors.New("start marker not found")
	}
	post := indexAligned(code, postMarker, start)
	if post < 0 {
		return section{}, errors.New("post-commit marker not found")
	}
	sig := indexAligned(code, sigBytes, post)
	if sig < 0 {
		return section{}, errors.New("abort signature not found")
	}
	abort := sig + len(sigBytes)
	if got := binary.LittleEndian.Uint32(code[abort-4 : abort]); got != Signature {
		return section{}, fmt.Errorf("signature before abort is %#x, want %#x", got, Signature)
	}
	// The next function's marks must not be mistaken for ours: a second
	// start marker before our post marker means the scan ran past us.
	if i := indexAligned(code[:post], startMarker, start+len(startMarker)); i >= 0 {
		return section{}, errors.New("two start markers before the post-commit marker")
	}
	return section{start: start, post: post, abort: abort}, nil
}

// indexAligned returns the first index at or after from where pat occurs in
// code at a multiple of instrAlign, or -1.
func indexAligned(code, pat []byte, from int) int {
	for from <= len(code) {
		i := bytes.Index(code[from:], pat)
		if i < 0 {
			return -1
		}
		i += from
		if i%instrAlign == 0 {
			return i
		}
		from = i + 1
	}
	return -1
}
