package spin_test

import (
	"runtime"
	"sync"
	"testing"

	"github.com/gorseq/rseq/internal/spin"
)

// TestStoreRelease: the plain store (amd64) and its sync/atomic twin write
// the same word, and nothing beside it.
func TestStoreRelease(t *testing.T) {
	for name, store := range map[string]func(*uint32, uint32){
		"plain": spin.StoreRelease, "generic": spin.StoreReleaseGeneric,
	} {
		w := [3]uint32{0xaaaaaaaa, 0, 0x55555555}
		for _, v := range []uint32{0, 1, 0xffffffff, 0x12345678} {
			store(&w[1], v)
			if w != [3]uint32{0xaaaaaaaa, v, 0x55555555} {
				t.Fatalf("%s: store of %#x gave %#x", name, v, w)
			}
		}
	}
}

// TestMutualExclusion: goroutines, more than the CPUs, increment plain
// counters under one lock, taking it by Lock and by TryLock and releasing
// it with the plain store or its sync/atomic twin; no increment is lost, and the
// two counters never differ inside the lock (a torn critical section). A
// lock whose TryLock ignored a holder loses increments here.
func TestMutualExclusion(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(2 * runtime.NumCPU()))
	for name, store := range map[string]func(*uint32, uint32){
		"plain": spin.StoreRelease, "generic": spin.StoreReleaseGeneric,
	} {
		t.Run(name, func(t *testing.T) {
			if name == "plain" && spin.RaceEnabled {
				t.Skip("the race detector takes the plain store for a race (Unlock uses the sync/atomic twin under it)")
			}
			const workers = 8
			iters := 100000
			if testing.Short() {
				iters = 10000
			}
			var l spin.Lock
			var a, b, torn int
			var wg sync.WaitGroup
			for w := range workers {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := range iters {
						if (i+w)%2 == 0 {
							l.Lock()
						} else {
							for !l.TryLock() {
								runtime.Gosched()
							}
						}
						if a != b {
							torn++
						}
						a++
						b++
						l.UnlockWith(store)
					}
				}()
			}
			wg.Wait()
			if a != workers*iters || b != a || torn != 0 {
				t.Errorf("after %d increments: a=%d b=%d, %d torn sections", workers*iters, a, b, torn)
			}
			if l.Held() {
				t.Error("lock still held")
			}
		})
	}
}

// TestTryLock: TryLock fails while the lock is held and succeeds once it
// is released by Unlock.
func TestTryLock(t *testing.T) {
	var l spin.Lock
	if !l.TryLock() || l.TryLock() || !l.Held() {
		t.Fatal("TryLock on a free lock must succeed once, then fail")
	}
	l.Unlock()
	if l.Held() || !l.TryLock() {
		t.Fatal("Unlock did not release")
	}
	l.Unlock()
}
