package rseq

import (
	"strconv"

	"github.com/gorseq/rseq/internal/cs"
)

// Backend is the mechanism the per-CPU structures run on.
type Backend uint8

const (
	// Atomic: per-CPU slots updated with atomic instructions, wherever
	// rseq is not available or GORSEQ=atomic forces it (see the package
	// doc).
	Atomic Backend = iota
	// RSEQ: restartable sequences, with the membarrier-fenced slow path.
	RSEQ
)

func (b Backend) String() string {
	switch b {
	case Atomic:
		return "atomic"
	case RSEQ:
		return "rseq"
	}
	return "Backend(" + strconv.Itoa(int(b)) + ")"
}

// Info is the backend decision and what it rests on.
type Info struct {
	Backend      Backend
	Reason       string // why the Atomic backend was chosen, in plain words; "" when RSEQ
	Registration string // "go" (areas this module registers), "libc" (glibc's), "" when none
	Index        string // "mm_cid" or "cpu_id" with RSEQ; "" with Atomic (slots are spread by goroutine)
	Fence        bool   // the membarrier RSEQ fence is available
	Slots        int    // per-CPU slots each structure keeps
}

// Detect returns the decision. Detection runs once, when the process starts;
// every call returns the same value.
func Detect() Info {
	d := cs.Describe()
	b := Atomic
	if d.RSEQ {
		b = RSEQ
	}
	return Info{
		Backend:      b,
		Reason:       d.Reason,
		Registration: d.Registration,
		Index:        d.Index,
		Fence:        d.Fence,
		Slots:        d.Slots,
	}
}

// String formats the decision on one line.
func (i Info) String() string {
	s := "backend=" + i.Backend.String()
	if i.Reason != "" {
		s += " reason=" + strconv.Quote(i.Reason)
	}
	if i.Registration != "" {
		s += " registration=" + i.Registration
	}
	if i.Index != "" {
		s += " index=" + i.Index
	}
	if i.Fence {
		s += " fence=membarrier"
	}
	return s + " slots=" + strconv.Itoa(i.Slots)
}
