package list_test

import (
	"testing"
	"unsafe"

	"github.com/gorseq/rseq/internal/cs"
	"github.com/gorseq/rseq/list"
)

// TestLayout: the fields every reader loads fill the first cache line of
// their struct, and what writers or slow paths write starts on a line of
// its own.
func TestLayout(t *testing.T) {
	r := list.RCULayout()
	if r.Offsets["cur"] != 0 || r.Offsets["gp"] != cs.CacheLine {
		t.Errorf("RCU: cur at %d, gp at %d; want 0 and %d", r.Offsets["cur"], r.Offsets["gp"], cs.CacheLine)
	}
	l := list.ListLayout()
	if l.Offsets["head"] != 0 || l.Offsets["mu"] != cs.CacheLine {
		t.Errorf("List: head at %d, mu at %d; want 0 and %d", l.Offsets["head"], l.Offsets["mu"], cs.CacheLine)
	}
	p := list.PerCPULayout()
	if end := p.Offsets["at"] + unsafe.Sizeof([]int{}); p.Offsets["steals"] < end+cs.CacheLine {
		t.Errorf("PerCPU: steals at %d, less than a line after the read-only fields (end at %d)", p.Offsets["steals"], end)
	}
}

// TestSlotListsSize: each slot's lock and data in the Atomic backend
// (Pool's slotLists, PerCPU's slotStack) fill one cache line, so that two
// slots' locks never share one.
func TestSlotListsSize(t *testing.T) {
	if list.SlotListsSize != cs.CacheLine {
		t.Errorf("slotLists is %d bytes, want %d", list.SlotListsSize, cs.CacheLine)
	}
	if list.SlotStackSize != cs.CacheLine {
		t.Errorf("slotStack is %d bytes, want %d", list.SlotStackSize, cs.CacheLine)
	}
}
