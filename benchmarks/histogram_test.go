package benchmarks_test

import "testing"

// Histogram: run with -cpu 1,2. The fallback's rows are impl=atomic in a
// run with GORSEQ=atomic in the environment.

func BenchmarkHistogramObserve(b *testing.B)         { runCase(b, "histogram", "Observe", false) }
func BenchmarkHistogramObserveParallel(b *testing.B) { runCase(b, "histogram", "Observe", true) }
func BenchmarkHistogramWrite(b *testing.B)           { runCase(b, "histogram", "Write", false) }
