package benchmarks_test

import "testing"

// ringbuf.Ring: run with -cpu 1,2. The fallback's rows are impl=atomic in a
// run with GORSEQ=atomic in the environment.

func BenchmarkRingPush(b *testing.B)         { runCase(b, "ringbuf", "Push", false) }
func BenchmarkRingPushParallel(b *testing.B) { runCase(b, "ringbuf", "Push", true) }
func BenchmarkRing2P1C(b *testing.B)         { runCase(b, "ringbuf", "Ring2P1C", true) }
