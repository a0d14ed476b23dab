package counter_test

import (
	"sync/atomic"
	"testing"

	"github.com/gorseq/rseq/counter"
)

func BenchmarkAddQuick(b *testing.B) {
	b.Run("impl=rseq", func(b *testing.B) {
		c := counter.New()
		for b.Loop() {
			c.Add(1)
		}
	})
	b.Run("impl=eager", func(b *testing.B) {
		c := counter.New()
		for b.Loop() {
			c.AddEager(1)
		}
	})
	b.Run("peer=atomic", func(b *testing.B) {
		var c atomic.Int64
		for b.Loop() {
			c.Add(1)
		}
	})
}
