package benchmarks_test

import "testing"

// list: run with -cpu 1,2. The fallback's rows are impl=atomic in a run
// with GORSEQ=atomic in the environment.

func BenchmarkPerCPUPushPop(b *testing.B)         { runCase(b, "list", "PerCPUPushPop", false) }
func BenchmarkPerCPUPushPopParallel(b *testing.B) { runCase(b, "list", "PerCPUPushPop", true) }
func BenchmarkPoolGetPut(b *testing.B)            { runCase(b, "list", "PoolGetPut", false) }
func BenchmarkPoolGetPutParallel(b *testing.B)    { runCase(b, "list", "PoolGetPut", true) }
func BenchmarkReadSection(b *testing.B)           { runCase(b, "list", "ReadSection", false) }
func BenchmarkReadSectionParallel(b *testing.B)   { runCase(b, "list", "ReadSection", true) }
func BenchmarkAll16(b *testing.B)                 { runCase(b, "list", "All16", false) }
func BenchmarkAll16Parallel(b *testing.B)         { runCase(b, "list", "All16", true) }
func BenchmarkSynchronize(b *testing.B)           { runCase(b, "list", "Synchronize", false) }
