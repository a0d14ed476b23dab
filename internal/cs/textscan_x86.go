//go:build !arm64

package cs

import "encoding/binary"

// Signature is the rseq signature of the abort handlers (glibc's on x86).
const Signature = 0x53053053

// The displacements of the start and post-commit markers (START_MARKER and
// POST_MARKER in sections_amd64.h, which read these constants).
const (
	startMark = 0x5e9a0001
	postMark  = 0x5e9a0002
)

// instrAlign is the alignment of instructions: the marks may sit anywhere.
const instrAlign = 1

var (
	startMarker = binary.LittleEndian.AppendUint32([]byte{0x0f, 0x1f, 0x84, 0x00}, startMark)
	postMarker  = binary.LittleEndian.AppendUint32([]byte{0x0f, 0x1f, 0x84, 0x00}, postMark)
	sigBytes    = binary.LittleEndian.AppendUint32([]byte{0x0f, 0xb9, 0x3d}, Signature) // ud1 Signature(%rip), %edi
)
