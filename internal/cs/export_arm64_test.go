package cs

// The marks the arm64 scanner looks for, and the alignment of instructions.
var (
	StartMarker = startMarker
	PostMarker  = postMarker
	SigBytes    = sigBytes
)

const InstrAlign = instrAlign
