package cs

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
)

// The asm marks each critical section with two 8-byte NOPs (nopl
// disp32(%rax,%rax,1)) whose displacements are recognisable, and ends it
// with ud1 carrying the rseq signature right before the abort handler. At
// init the code of each function is scanned for them, which gives the three
// addresses of the section's descriptor without hard-coding offsets that a
// different assembler could change. A function whose code does not have
// exactly this shape is refused, and the process uses the Atomic backend.

// Signature is the rseq signature of the abort handlers (glibc's on x86).
const Signature = 0x53053053

// The displacements of the start and post-commit markers (START_MARKER and
// POST_MARKER in sections_amd64.h, which read these constants).
const (
	startMark = 0x5e9a0001
	postMark  = 0x5e9a0002
)

var (
	startMarker = binary.LittleEndian.AppendUint32([]byte{0x0f, 0x1f, 0x84, 0x00}, startMark)
	postMarker  = binary.LittleEndian.AppendUint32([]byte{0x0f, 0x1f, 0x84, 0x00}, postMark)
	sigBytes    = binary.LittleEndian.AppendUint32([]byte{0x0f, 0xb9, 0x3d}, Signature) // ud1 Signature(%rip), %edi
)

// section holds offsets from a function's entry.
type section struct {
	start, post, abort int
}

// scanSection finds the section in the code of one function, starting at
// its entry. The caller bounds the window; the marks must come in the order
// start marker, post-commit marker, signature, with no second start marker
// in between (which would mean the scan ran into the next function).
func scanSection(code []byte) (section, error) {
	start := bytes.Index(code, startMarker)
	if start < 0 {
		return section{}, errors.New("start marker not found")
	}
	post := bytes.Index(code[start:], postMarker)
	if post < 0 {
		return section{}, errors.New("post-commit marker not found")
	}
	post += start
	sig := bytes.Index(code[post:], sigBytes)
	if sig < 0 {
		return section{}, errors.New("abort signature not found")
	}
	sig += post
	abort := sig + len(sigBytes)
	if got := binary.LittleEndian.Uint32(code[abort-4 : abort]); got != Signature {
		return section{}, fmt.Errorf("signature before abort is %#x, want %#x", got, Signature)
	}
	// The next function's marks must not be mistaken for ours: a second
	// start marker before our post marker means the scan ran past us.
	if i := bytes.Index(code[start+len(startMarker):post], startMarker); i >= 0 {
		return section{}, errors.New("two start markers before the post-commit marker")
	}
	return section{start: start, post: post, abort: abort}, nil
}
