package benchmarks_test

import "testing"

// Counter: run with -cpu 1,2. The fallback's rows are impl=atomic in a run
// with GORSEQ=atomic in the environment.

func BenchmarkCounterAdd(b *testing.B)          { runCase(b, "counter", "Add", false) }
func BenchmarkCounterAddParallel(b *testing.B)  { runCase(b, "counter", "Add", true) }
func BenchmarkCounterLoad(b *testing.B)         { runCase(b, "counter", "Load", false) }
func BenchmarkCounterLoadParallel(b *testing.B) { runCase(b, "counter", "Load", true) }

// BenchmarkCounterMemory reports bytes per counter, measured in child
// processes.
func BenchmarkCounterMemory(b *testing.B) { runMemory(b, "counter") }

func BenchmarkCounterAddFloat(b *testing.B)         { runCase(b, "counter", "AddFloat", false) }
func BenchmarkCounterAddFloatParallel(b *testing.B) { runCase(b, "counter", "AddFloat", true) }
