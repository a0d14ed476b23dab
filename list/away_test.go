package list_test

import (
	"testing"

	"github.com/gorseq/rseq/internal/cs"
	"github.com/gorseq/rseq/list"
)

// TestPerCPUAwayExactLook: in the Atomic backend, a Push whose slot is
// full tries the other slots one lock at a time, and a scan like that can
// miss room that moves: here a slot it has not reached yet fills while
// the slot it started from empties, so every slot looks full one after
// another although the list is never full. Only the look with every lock
// held finds the room; a Push that returned false after the scan fails
// here, every time. No timing is involved: the test holds the last slot's
// lock, so the scan can only reach it after the test has moved the room.
// Pop's side: every other slot is empty and the value sits on the slot
// Pop started from, so only the look with every lock held finds it.
func TestPerCPUAwayExactLook(t *testing.T) {
	if cs.Enabled() {
		t.Skip("the Atomic backend's slow path (run with GORSEQ=atomic)")
	}
	n := cs.Slots()
	if n < 2 {
		t.Skip("one slot: no other slot to scan")
	}
	for round := range 20 {
		// One value per slot; slot n-1 starts empty, every other full.
		l, err := list.NewPerCPU[int](n)
		if err != nil {
			t.Fatal(err)
		}
		for s := range n - 1 {
			if !l.PushSlot(s, s) {
				t.Fatalf("PushSlot(%d) failed", s)
			}
		}
		put, release := l.HoldSlot(n - 1)
		done := make(chan bool)
		go func() { done <- l.PushAway(0, 100) }() // slot 0 was found full
		// While the scan waits for slot n-1 (or has not begun): slot 0
		// gets room, then slot n-1 fills. One slot has room throughout.
		if v, ok := l.TakeSlot(0); !ok || v != 0 {
			t.Fatalf("slot 0 gave %d, %v; want 0, true", v, ok)
		}
		if !put(-1) {
			t.Fatal("slot n-1 was not empty")
		}
		release()
		if !<-done {
			t.Fatalf("round %d: Push reported full while slot 0 had room throughout its scan", round)
		}
		if lens := l.SlotLens(); lens[0] != 1 || lens[n-1] != 1 {
			t.Fatalf("round %d: slot lengths %v, want the value on slot 0", round, lens)
		}

		// Pop: the only value sits on slot 0 from before the call to its
		// end, and the scan of the other slots finds nothing. False would
		// claim an instant with every slot empty, which never came.
		l, err = list.NewPerCPU[int](n)
		if err != nil {
			t.Fatal(err)
		}
		if !l.PushSlot(0, 7) {
			t.Fatal("PushSlot(0) failed")
		}
		if v, ok := l.PopAway(0); !ok || v != 7 {
			t.Fatalf("round %d: Pop gave %d, %v with 7 on slot 0 throughout; want 7, true", round, v, ok)
		}
	}
}
