package cs

import "encoding/binary"

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
