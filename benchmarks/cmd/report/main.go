// Command report measures every structure of github.com/gorseq/rseq beside
// the implementations Go programs use today, and writes what it found as
// Markdown, JSON and two SVG charts per structure.
//
// From the repository root:
//
//	go -C benchmarks run ./cmd/report
//
// It prints the backend this machine gives (rseq.Detect), then a table per
// structure: ns/op on one goroutine and on N CPUs (b.RunParallel with
// GOMAXPROCS = N, for each N of -cpu), the ratio to the best peer,
// allocations per op, and bytes per instance where that matters; then the
// scaling view: the parallel columns again, as ns/op of every
// implementation against the number of CPUs (a table per case, and
// <structure>-scaling.svg, a log-log chart with the ideal 1/N line), which
// is what shows how a structure behaves as cores are added.
// Each figure is the median of -count runs, interleaved: every
// implementation of every case runs once per round, so that a burst of
// load on the machine hits all of them alike; the spread (min–max) is
// shown beside it. The fallback's rows (impl=atomic) come from a child
// process of this same binary run with GORSEQ=atomic, which measures when
// the parent asks, in the same rounds.
//
// Flags:
//
//	-out dir        where report.md, report.json, <structure>.svg and
//	                <structure>-scaling.svg go (default report)
//	-quick          fewer, shorter runs: under 30 seconds
//	-cpu list       GOMAXPROCS values for the parallel columns and the scaling
//	                view (default: 1, every power of two up to the number of
//	                CPUs, and that number)
//	-count n        runs per figure (default 5; 3 with -quick)
//	-benchtime d    time per run (default 80ms; 15ms with -quick)
//	-memn n         instances per memory measurement (default 300000; 100000 with -quick)
//	-run regexp     only the cases whose structure/case name matches
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gorseq/rseq/benchmarks"
)

// config is what the flags ask for.
type config struct {
	out       string
	quick     bool
	cpus      []int
	count     int
	benchtime time.Duration
	memN      int
	run       *regexp.Regexp
}

func main() {
	// A memory child measures one implementation in this fresh process.
	if ok, err := benchmarks.RunMemoryChild(); ok {
		exit(err)
	}
	cfg, serve, err := parseFlags(os.Args[1:], os.Stderr)
	if err != nil {
		if err == flag.ErrHelp {
			os.Exit(0)
		}
		fmt.Fprintln(os.Stderr, "report:", err)
		os.Exit(2)
	}
	// testing.Benchmark reads the benchtime flag of the testing package.
	testing.Init()
	if serve {
		exit(serveChild(os.Stdin, os.Stdout))
	}
	exit(run(cfg, os.Stdout, os.Stderr))
}

func exit(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "report:", err)
		os.Exit(1)
	}
	os.Exit(0)
}

// childFlag, hidden from the usage, makes the process the fallback child:
// it reads requests on stdin and writes one JSON result per line.
const childFlag = "serve-child"

func parseFlags(args []string, stderr io.Writer) (config, bool, error) {
	fs := flag.NewFlagSet("report", flag.ContinueOnError)
	fs.SetOutput(stderr)
	out := fs.String("out", "report", "folder for report.md, report.json and the SVG charts")
	quick := fs.Bool("quick", false, "fewer, shorter runs (under 30 seconds)")
	cpu := fs.String("cpu", "", "comma-separated GOMAXPROCS values for the parallel columns and the scaling view (default: 1 and every power of two up to the number of CPUs, and that number)")
	count := fs.Int("count", 0, "runs per figure, interleaved (default 5; 3 with -quick)")
	benchtime := fs.Duration("benchtime", 0, "time per run (default 80ms; 15ms with -quick)")
	memN := fs.Int("memn", 0, "instances per memory measurement (default 300000; 100000 with -quick)")
	runRE := fs.String("run", "", "only the cases whose structure/case name matches this regexp")
	serve := fs.Bool(childFlag, false, "")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: go -C benchmarks run ./cmd/report [flags]\n\n")
		fs.VisitAll(func(f *flag.Flag) {
			if f.Name == childFlag {
				return
			}
			fmt.Fprintf(stderr, "  -%s\n    \t%s", f.Name, f.Usage)
			if f.DefValue != "" && f.DefValue != "false" && f.DefValue != "0" && f.DefValue != "0s" {
				fmt.Fprintf(stderr, " (default %q)", f.DefValue)
			}
			fmt.Fprintln(stderr)
		})
	}
	if err := fs.Parse(args); err != nil {
		return config{}, false, err
	}
	if fs.NArg() > 0 {
		return config{}, false, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	cfg := config{out: *out, quick: *quick, count: 5, benchtime: 80 * time.Millisecond, memN: 300_000}
	if cfg.quick {
		cfg.count, cfg.benchtime, cfg.memN = 3, 15*time.Millisecond, 100_000
	}
	if *count < 0 {
		return config{}, false, fmt.Errorf("-count %d: want at least 1", *count)
	} else if *count > 0 {
		cfg.count = *count
	}
	if *benchtime < 0 {
		return config{}, false, fmt.Errorf("-benchtime %v: want a positive duration", *benchtime)
	} else if *benchtime > 0 {
		cfg.benchtime = *benchtime
	}
	if *memN < 0 {
		return config{}, false, fmt.Errorf("-memn %d: want at least 1", *memN)
	} else if *memN > 0 {
		cfg.memN = *memN
	}
	cfg.cpus = defaultCPUs(runtime.NumCPU())
	if *cpu != "" {
		cfg.cpus = nil
		for f := range strings.SplitSeq(*cpu, ",") {
			n, err := strconv.Atoi(strings.TrimSpace(f))
			if err != nil || n < 1 {
				return config{}, false, fmt.Errorf("-cpu %q: %q is not a positive number", *cpu, f)
			}
			cfg.cpus = append(cfg.cpus, n)
		}
	}
	if *runRE != "" {
		re, err := regexp.Compile(*runRE)
		if err != nil {
			return config{}, false, fmt.Errorf("-run %q: %v", *runRE, err)
		}
		cfg.run = re
	}
	return cfg, *serve, nil
}
