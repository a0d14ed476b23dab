package list_test

import (
	"testing"

	"github.com/gorseq/rseq/list"
)

// BenchmarkPool: one Get and one Put per operation, against sync.Pool's
// Get and Put. Run with -cpu 1,2; GORSEQ=atomic measures the fallback. As
// in bench_test.go, each loop is written out around direct calls.
func BenchmarkPool(b *testing.B) {
	b.Run("impl=rseq", func(b *testing.B) {
		p, err := list.NewPool[int](1024)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if x, ok := p.Get(); ok {
					p.Put(x)
				}
			}
		})
	})
	b.Run("peer=syncpool", benchSyncPool)
}
