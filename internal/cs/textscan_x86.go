//go:build !arm64

package cs

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
)

// Signature is the rseq signature of the abort handlers (glibc's on x86).
const Signature = 0x53053053

// On amd64 a section needs no marker instructions. Every section function
// arms its section with the same instruction, MOVQ rDesc,
// const_areaRseqCS(rArea) (ARM in sections_amd64.h: MOVQ R8, 8(AX),
// armBytes below), and the section starts right after it; it ends with its
// commit store immediately followed by RET (COMMIT and COMMIT_ADD), which
// is the post-commit address, immediately followed by ud1 carrying the rseq
// signature, which must precede the abort handler anyway. scanSection looks
// for the first signature, a RET right before it, and exactly one arming
// store between the entry and that RET.

var (
	armBytes = []byte{0x4c, 0x89, 0x40, 0x08}                                        // mov %r8, 8(%rax): rseq_cs is at 8 (areaRseqCS)
	sigBytes = binary.LittleEndian.AppendUint32([]byte{0x0f, 0xb9, 0x3d}, Signature) // ud1 Signature(%rip), %edi
)

const retByte = 0xc3

// scanSection finds the section in the code of one function, starting at
// its entry. The caller bounds the window. The function's own signature is
// the first one (each function has one section, and the window starts at
// its entry); before it must come the RET at the post-commit address, and
// before that exactly one arming store.
func scanSection(code []byte) (section, error) {
	sig := bytes.Index(code, sigBytes)
	if sig < 0 {
		return section{}, errors.New("abort signature not found")
	}
	abort := sig + len(sigBytes)
	if got := binary.LittleEndian.Uint32(code[abort-4 : abort]); got != Signature {
		return section{}, fmt.Errorf("signature before abort is %#x, want %#x", got, Signature)
	}
	post := sig - 1
	if post < 0 || code[post] != retByte {
		return section{}, errors.New("no RET right before the abort signature (the commit must be followed by RET alone)")
	}
	arm := bytes.Index(code[:post], armBytes)
	if arm < 0 {
		return section{}, errors.New("arming store not found before the post-commit RET")
	}
	if bytes.Count(code[:post], armBytes) != 1 {
		return section{}, errors.New("more than one arming store before the post-commit RET")
	}
	start := arm + len(armBytes)
	if start >= post {
		return section{}, errors.New("empty section")
	}
	return section{start: start, post: post, abort: abort}, nil
}
