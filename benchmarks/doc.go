// Package benchmarks holds the suites that compare the module's structures
// with what Go programs use today: the standard library (sync/atomic,
// channels, sync.Pool, sync.RWMutex, copy-on-write slices),
// github.com/puzpuzpuz/xsync/v4, github.com/cockroachdb/crlib/crsync,
// github.com/prometheus/client_golang and a per-P counter built on the
// runtime's procPin. It is a module of its own so that none of these enter
// the library's dependency graph.
//
// The suites are data: [Structures] lists each structure's cases, and each
// case its implementations. Two front ends run them:
//
//   - go test -bench, for benchstat: each case is a Benchmark function
//     (BenchmarkCounterAdd/impl=rseq, BenchmarkCounterAdd/peer=xsync, ...)
//     with a single-goroutine form and a RunParallel form
//     (BenchmarkCounterAddParallel, run with -cpu 1,2).
//   - cmd/report, the command a new user runs first: every case beside its
//     peers, interleaved runs, Markdown, JSON and SVG charts.
//
// The row named impl=rseq (impl=atomic when the process runs the fallback)
// is the package as built, on the backend rseq.Detect reports. The fallback
// is measured by running the same code with GORSEQ=atomic in the
// environment: cmd/report does it in a child process, interleaved with the
// parent's runs; with go test, run the benchmarks again with GORSEQ=atomic.
//
// Every implementation does the same work per operation, keeps its results
// alive (they are summed into a sink), and is created fresh for each
// measurement.
package benchmarks
