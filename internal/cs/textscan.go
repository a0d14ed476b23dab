package cs

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
)

// The asm marks each critical section with two instructions that do nothing
// but are recognisable (amd64: 8-byte NOPs, nopl disp32(%rax,%rax,1), with
// chosen displacements; arm64: moves of chosen immediates to the zero
// register), and ends it with the rseq signature right before the abort
// handler (amd64: inside a ud1; arm64: as an instruction word). At
// init the code of each function is scanned for them, which gives the three
// addresses of the section's descriptor without hard-coding offsets that a
// different assembler could change. A function whose code does not have
// exactly this shape is refused, and the process uses the Atomic backend.

// section holds offsets from a function's entry.
type section struct {
	start, post, abort int
}

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
