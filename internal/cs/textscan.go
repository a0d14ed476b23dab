package cs

// How the Go side finds the addresses of each section's descriptor in the
// assembled code, without hard-coding offsets that a different assembler
// could change: scanSection (textscan_x86.go, textscan_arm64.go) reads the
// code of one function for the instructions that bound its section. A
// function whose code does not have exactly the expected shape is refused,
// and the process uses the Atomic backend; the self-check then runs every
// section.

// section holds offsets from a function's entry.
type section struct {
	start, post, abort int
}
