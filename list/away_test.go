package list_test

import (
	"runtime"
	"strings"
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

// TestPoolAwayExactLook: in the Atomic backend, a Get whose slot is empty
// tries every slot one lock at a time from its probe's, and the object it
// could take can move behind it: here an object returns to the slot the
// scan began with after the scan has looked there, and the only other
// object leaves the slot the scan looks at last before it gets there. At
// no instant is every object out, so only the look with every lock held
// may answer, and it finds the returned object. No timing is involved:
// the test holds the last slot's lock and waits until the Get's goroutine
// waits for it (its stack shows the spin lock's wait) before it moves the
// objects.
//
// Which slot the scan begins with is the goroutine's probe, a hash of its
// stack address at the scan; the test learns it from the slot a first Get
// takes from, at the same stack depth. The fast path and the scan hash
// the stack from their own frames, a few hundred bytes apart, so they
// pick one slot unless a 2 KiB boundary of the hash falls between them.
// The rounds run at 16 depths about 256 bytes apart, more than twice the
// 2 KiB, so that in most of them no boundary falls there: a Get that
// returned false after its scan fails in those rounds, on any build. In
// the others the test only checks that Get succeeds, as it must whatever
// the scan's order.
func TestPoolAwayExactLook(t *testing.T) {
	if cs.Enabled() {
		t.Skip("the Atomic backend's slow path (run with GORSEQ=atomic)")
	}
	n := cs.Slots()
	if n < 2 {
		t.Skip("one slot: no other slot to scan")
	}
	for round := range 16 {
		p, err := list.NewPool[int64](n) // one object per slot, at home
		if err != nil {
			t.Fatal(err)
		}
		gets := make(chan struct{})
		got := make(chan *int64)
		go func() {
			growStack(0)
			for range gets {
				atDepth(round, func() {
					x, _ := p.Get()
					got <- x
				})
			}
		}()
		// With every slot holding its own object, the Get takes the
		// object of its probe's slot.
		gets <- struct{}{}
		mine := <-got
		if mine == nil {
			t.Fatal("Get on a full pool failed")
		}
		s := list.PoolHome(p, mine)
		last := (s + n - 1) % n // the slot a scan from s reaches last
		// Every object out but the one whose home is last.
		out := []*int64{mine}
		for {
			x, ok := p.Get()
			if !ok {
				break
			}
			out = append(out, x)
		}
		var a, b *int64 // a: home s; b: home last
		for _, x := range out {
			switch list.PoolHome(p, x) {
			case s:
				a = x
			case last:
				b = x
			}
		}
		p.Put(b)
		take, release := list.PoolHoldSlot(p, last)
		gets <- struct{}{}
		waitForSpin(t, "TestPoolAwayExactLook")
		// The scan waits for slot last: from s, it has looked at every
		// other slot.
		p.Put(a) // home: slot s
		if x := take(); x != b {
			t.Fatalf("slot %d held %p, want %p", last, x, b)
		}
		release()
		if x := <-got; x != a {
			t.Fatalf("round %d: Get gave %p, want %p (back on slot %d before the last object left slot %d)", round, x, a, s, last)
		}
		close(gets)
	}
}

// atDepth calls f with 256 more bytes of stack per level in use.
//
//go:noinline
func atDepth(levels int, f func()) byte {
	var pad [256]byte
	pad[levels%len(pad)] = byte(levels)
	if levels == 0 {
		f()
	} else {
		pad[0] += atDepth(levels-1, f)
	}
	return pad[(levels+1)%len(pad)]
}

// growStack makes the calling goroutine's stack big enough for the test's
// calls once, so that it does not move (grow) between them.
//
//go:noinline
func growStack(levels int) byte {
	var pad [1024]byte
	pad[levels%len(pad)] = byte(levels)
	if levels < 32 {
		pad[1] += growStack(levels + 1)
	}
	return pad[(levels+1)%len(pad)]
}

// waitForSpin returns once a goroutine whose stack shows the function
// named by marker waits in a spin lock's Lock. It waits for a state, not
// for a time: the goroutine stays in that wait until the lock it wants is
// released.
func waitForSpin(t *testing.T, marker string) {
	t.Helper()
	buf := make([]byte, 1<<20)
	for {
		n := runtime.Stack(buf, true)
		for _, g := range strings.Split(string(buf[:n]), "\n\n") {
			if strings.Contains(g, "spin.(*Lock).lockSlow") && strings.Contains(g, marker) {
				return
			}
		}
		runtime.Gosched()
	}
}
