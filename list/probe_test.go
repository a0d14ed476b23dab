package list_test

import (
	"testing"

	"github.com/gorseq/rseq/internal/probe"
	"github.com/gorseq/rseq/list"
)

// TestProbesSeparate: goroutines alive at the same time, on the smallest
// stacks (created one after another, as b.RunParallel creates its
// workers), that meet on one slot of the Atomic backend's lists end on
// different slots once the one that finds the lock held has moved its
// probe, as lockContended does. The test plays the collision without
// timing: one goroutine's slot lock is held for it while the other enters.
// Each collision separates two goroutines on entries of their own at
// once; two on one entry separate with probability 1/2 per collision, so
// 40 collisions fail to separate them once in 2⁴⁰. Probes that hashed 2
// KiB stacks from bit 13 put four goroutines on one entry, which then
// moved together and met on every slot forever: this test fails on that
// hash and on an unsalted slot.
func TestProbesSeparate(t *testing.T) {
	const (
		workers = 16
		rounds  = 40
	)
	for _, slots := range []int{2, 3} {
		p := list.NewProbeLists(slots)
		type req struct {
			enter bool
			reply chan int
		}
		reqs := make([]chan req, workers)
		for w := range reqs {
			reqs[w] = make(chan req)
			go func(in chan req) {
				pr := probe.For() // this goroutine's probe, from its own stack
				for r := range in {
					if r.enter {
						r.reply <- p.Enter(pr)
					} else {
						r.reply <- p.Slot(pr)
					}
				}
			}(reqs[w])
		}
		reply := make(chan int)
		ask := func(w int, enter bool) int {
			reqs[w] <- req{enter, reply}
			return <-reply
		}
		for a := range workers {
			for b := a + 1; b < workers; b++ {
				k := 0
				for ; k < rounds; k++ {
					sa := ask(a, false)
					if ask(b, false) != sa {
						break
					}
					// a is inside an operation on slot sa; b enters.
					p.Hold(sa)
					if sb := ask(b, true); sb == sa {
						t.Fatalf("%d slots: goroutine %d entered slot %d while it was held", slots, b, sb)
					}
					p.Release(sa)
				}
				if k == rounds {
					t.Errorf("%d slots: goroutines %d and %d still meet on one slot after %d collisions", slots, a, b, rounds)
				}
			}
		}
		for _, in := range reqs {
			close(in)
		}
	}
}
