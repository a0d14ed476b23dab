package main

import (
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/gorseq/rseq"
	"github.com/gorseq/rseq/benchmarks"
)

// Report is everything the command found; report.json is this value.
type Report struct {
	Command    string        `json:"command"`
	Detect     detectJSON    `json:"detect"`
	Fallback   *detectJSON   `json:"fallback_detect,omitempty"` // the GORSEQ=atomic child's
	Machine    machine       `json:"machine"`
	Config     configJSON    `json:"config"`
	Started    time.Time     `json:"started"`
	Duration   float64       `json:"duration_s"`
	Load       [2]string     `json:"load_average"` // /proc/loadavg at the start and the end
	Notes      []string      `json:"notes,omitempty"`
	Structures []*structJSON `json:"structures"`
}

type detectJSON struct {
	Backend      string `json:"backend"`
	Reason       string `json:"reason,omitempty"`
	Registration string `json:"registration,omitempty"`
	Index        string `json:"index,omitempty"`
	Fence        bool   `json:"fence"`
	Slots        int    `json:"slots"`
	String       string `json:"string"`
}

func detectOf(i rseq.Info) detectJSON {
	return detectJSON{
		Backend: i.Backend.String(), Reason: i.Reason, Registration: i.Registration,
		Index: i.Index, Fence: i.Fence, Slots: i.Slots, String: i.String(),
	}
}

type machine struct {
	GOOS      string `json:"goos"`
	GOARCH    string `json:"goarch"`
	GoVersion string `json:"go_version"`
	CPUModel  string `json:"cpu_model"`
	NumCPU    int    `json:"num_cpu"`
	Kernel    string `json:"kernel"`
}

type configJSON struct {
	CPU       []int  `json:"cpu"`
	Count     int    `json:"count"`
	Benchtime string `json:"benchtime"`
	MemN      int    `json:"mem_n"`
	Quick     bool   `json:"quick"`
	Run       string `json:"run,omitempty"`
	Spread    string `json:"spread"`
	Ratio     string `json:"ratio"`
	Procs1G   int    `json:"single_goroutine_gomaxprocs"`
}

type structJSON struct {
	Name   string      `json:"name"`
	Doc    string      `json:"doc"`
	Cases  []*caseJSON `json:"cases"`
	Memory *memJSON    `json:"memory,omitempty"`
	Chart  string      `json:"chart"` // file name of the SVG

	// ScalingChart is the file name of the scaling chart (see scaling.go),
	// "" when no case has parallel columns.
	ScalingChart string `json:"scaling_chart,omitempty"`
}

type caseJSON struct {
	Name     string     `json:"name"`
	Op       string     `json:"op"`
	Bench    string     `json:"bench,omitempty"`     // go test -bench name of the single-goroutine form
	ParBench string     `json:"par_bench,omitempty"` // and of the parallel form
	ParDoc   string     `json:"par_doc,omitempty"`   // the goroutines of a fixed parallel form
	Columns  []column   `json:"columns"`
	Rows     []*rowJSON `json:"rows"`

	// Scaling is the parallel columns as ns/op against CPUs (scaling.go);
	// nil when the case has no parallel form.
	Scaling *scalingJSON `json:"scaling,omitempty"`
}

type column struct {
	Label    string `json:"label"`
	Parallel bool   `json:"parallel"`
	Procs    int    `json:"gomaxprocs"`
}

type rowJSON struct {
	Impl     string   `json:"impl"` // as the go test sub-benchmark is named
	Kind     string   `json:"kind"` // "impl", "fallback" or "peer"
	Skip     string   `json:"skip,omitempty"`
	Cells    []*cell  `json:"cells"` // one per column; null where the row has no such form
	AllocsOp *float64 `json:"allocs_per_op,omitempty"`

	// What measures it: an implementation of this process, or the child.
	impl     benchmarks.Impl
	viaChild bool
}

type cell struct {
	Median  float64   `json:"median_ns"`
	Min     float64   `json:"min_ns"`
	Max     float64   `json:"max_ns"`
	Samples []float64 `json:"samples_ns"`
	Allocs  float64   `json:"allocs_per_op"`
	Bytes   float64   `json:"bytes_per_op"`
	Ratio   float64   `json:"ratio_to_best_peer,omitempty"`
	Err     string    `json:"error,omitempty"`

	allocs []float64
	bytes  []float64
}

type memJSON struct {
	Unit string        `json:"unit"`
	N    int           `json:"n"`
	Rows []*memRowJSON `json:"rows"`
}

type memRowJSON struct {
	Impl    string    `json:"impl"`
	Kind    string    `json:"kind"`
	Skip    string    `json:"skip,omitempty"`
	RSS     float64   `json:"rss_bytes"` // median, per instance
	RSSMin  float64   `json:"rss_min_bytes"`
	RSSMax  float64   `json:"rss_max_bytes"`
	Heap    float64   `json:"heap_bytes"`
	Samples []float64 `json:"rss_samples"`
	Ratio   float64   `json:"ratio_to_best_peer,omitempty"`
	Err     string    `json:"error,omitempty"`

	mem      benchmarks.MemImpl
	viaChild bool
	heaps    []float64
}

// A task is one run of the plan.
type task struct {
	label string // for the progress line
	do    func()
}

// run measures everything cfg asks for and writes the outputs.
func run(cfg config, stdout, stderr io.Writer) error {
	start := time.Now()
	info := rseq.Detect()
	rep := &Report{
		Command: commandLine(),
		Detect:  detectOf(info),
		Machine: machineInfo(),
		Config: configJSON{
			CPU: cfg.cpus, Count: cfg.count, Benchtime: cfg.benchtime.String(), MemN: cfg.memN,
			Quick: cfg.quick, Spread: "min-max of the runs", Ratio: "median / best peer's median in the same column",
			Procs1G: runtime.GOMAXPROCS(0),
		},
		Started: start,
	}
	if cfg.run != nil {
		rep.Config.Run = cfg.run.String()
	}
	rep.Load[0] = loadAverage()
	fmt.Fprintln(stdout, "rseq.Detect():", info)
	fmt.Fprintf(stdout, "%s, %d CPUs, %s, Linux %s\n\n", rep.Machine.CPUModel, rep.Machine.NumCPU, rep.Machine.GoVersion, rep.Machine.Kernel)

	// The fallback child, when this process runs rseq.
	var ch *child
	fallbackSkip := ""
	if info.Backend == rseq.RSEQ {
		c, err := startChild()
		if err != nil {
			fallbackSkip = err.Error()
		} else {
			ch = c
			rep.Fallback = &c.detect
			defer c.close()
		}
	} else {
		rep.Notes = append(rep.Notes, "This process runs the atomic backend ("+info.Reason+"): the impl=atomic rows are the package as built, and there is no rseq row.")
	}

	exe, exeErr := os.Executable()
	rounds := make([][]task, cfg.count) // rounds[r]: the runs of round r, in order
	add := func(r int, label string, do func()) {
		rounds[r] = append(rounds[r], task{label, do})
	}

	for _, s := range benchmarks.Structures() {
		sj := &structJSON{Name: s.Name, Doc: s.Doc, Chart: s.Name + ".svg"}
		for _, c := range s.Cases {
			if cfg.run != nil && !cfg.run.MatchString(s.Name+"/"+c.Name) {
				continue
			}
			cj := &caseJSON{Name: c.Name, Op: c.Op, Bench: c.Bench, ParBench: c.ParBench, ParDoc: c.ParDoc}
			cj.Columns = columnsOf(c, cfg.cpus)
			for _, impl := range c.Impls {
				row := &rowJSON{Impl: impl.Label(), Kind: kindOf(impl.Name), Skip: impl.Skip, impl: impl}
				cj.Rows = append(cj.Rows, row)
				if impl.Backend && info.Backend == rseq.RSEQ {
					fb := &rowJSON{Impl: benchmarks.BackendLabel(rseq.Atomic), Kind: "fallback", Skip: fallbackSkip, impl: impl, viaChild: true}
					cj.Rows = append(cj.Rows, fb)
				}
			}
			for _, row := range cj.Rows {
				row.Cells = make([]*cell, len(cj.Columns))
				for k, col := range cj.Columns {
					f := row.impl.Single
					if col.Parallel {
						f = row.impl.Parallel
					}
					if f != nil {
						row.Cells[k] = &cell{}
					}
				}
			}
			// Round r runs every (column, row) once, rows rotated by r.
			for r := range cfg.count {
				for k, col := range cj.Columns {
					n := len(cj.Rows)
					for j := range n {
						row := cj.Rows[(j+r)%n]
						cl := row.Cells[k]
						if cl == nil || row.Skip != "" {
							continue
						}
						label := fmt.Sprintf("%s/%s %s %s", s.Name, c.Name, row.Impl, col.Label)
						q := request{Structure: s.Name, Case: c.Name, Impl: row.impl.Name, Parallel: col.Parallel, Procs: col.Procs, Benchtime: cfg.benchtime}
						add(r, label, func() {
							var sm sample
							if row.viaChild {
								sm = ch.measure(q)
							} else {
								sm = q.run()
							}
							cl.add(sm)
						})
					}
				}
			}
			sj.Cases = append(sj.Cases, cj)
		}
		if m := s.Memory; m != nil && (cfg.run == nil || cfg.run.MatchString(s.Name+"/Memory")) {
			mj := &memJSON{Unit: m.Unit, N: cfg.memN}
			for _, mi := range m.Impls {
				skip := mi.Skip
				if exeErr != nil && skip == "" {
					skip = "finding this program to re-run it: " + exeErr.Error()
				}
				mj.Rows = append(mj.Rows, &memRowJSON{Impl: mi.Label(), Kind: kindOf(mi.Name), Skip: skip, mem: mi})
				if mi.Backend && info.Backend == rseq.RSEQ {
					skip := fallbackSkip
					if exeErr != nil {
						skip = "finding this program to re-run it: " + exeErr.Error()
					}
					mj.Rows = append(mj.Rows, &memRowJSON{Impl: benchmarks.BackendLabel(rseq.Atomic), Kind: "fallback", Skip: skip, mem: mi, viaChild: true})
				}
			}
			// Memory is steady from run to run: at most 3 rounds.
			for r := range min(cfg.count, 3) {
				for _, row := range mj.Rows {
					if row.Skip != "" {
						continue
					}
					add(r, fmt.Sprintf("%s/Memory %s", s.Name, row.Impl), func() {
						cmd := exec.Command(exe)
						if row.viaChild {
							cmd.Env = append(os.Environ(), "GORSEQ=atomic")
						}
						mr, err := benchmarks.MeasureInChild(cmd, s.Name, row.mem.Name, cfg.memN)
						if err != nil {
							row.Err = err.Error()
							return
						}
						row.Samples = append(row.Samples, mr.RSS)
						row.heaps = append(row.heaps, mr.Heap)
					})
				}
			}
			sj.Memory = mj
		}
		if len(sj.Cases) > 0 || sj.Memory != nil {
			rep.Structures = append(rep.Structures, sj)
		}
	}

	// Run the rounds.
	total := 0
	for _, r := range rounds {
		total += len(r)
	}
	prog := newProgress(stderr, total)
	for r, ts := range rounds {
		for _, t := range ts {
			prog.step(fmt.Sprintf("round %d/%d  %s", r+1, len(rounds), t.label))
			t.do()
		}
	}
	prog.done()

	for _, sj := range rep.Structures {
		for _, cj := range sj.Cases {
			cj.finish()
			cj.buildScaling()
		}
		if sj.hasScaling() {
			sj.ScalingChart = sj.Name + "-scaling.svg"
		}
		if sj.Memory != nil {
			sj.Memory.finish()
		}
	}
	rep.Load[1] = loadAverage()
	rep.Duration = time.Since(start).Seconds()

	md := markdown(rep)
	fmt.Fprint(stdout, tablesOnly(md))
	if err := os.MkdirAll(cfg.out, 0o755); err != nil {
		return err
	}
	files := map[string][]byte{"report.md": []byte(md)}
	js, err := jsonOf(rep)
	if err != nil {
		return err
	}
	files["report.json"] = js
	for _, sj := range rep.Structures {
		files[sj.Chart] = []byte(svgOf(sj))
		if sj.ScalingChart != "" {
			files[sj.ScalingChart] = []byte(scalingSVG(sj))
		}
	}
	for name, b := range files {
		if err := os.WriteFile(filepath.Join(cfg.out, name), b, 0o644); err != nil {
			return err
		}
	}
	fmt.Fprintf(stdout, "\nwrote %s (report.md, report.json, %d charts) in %.0fs\n", cfg.out, len(files)-2, rep.Duration)
	return nil
}

// kindOf is a row's kind by its implementation's name: "peer" or "impl"
// (the fallback rows are "fallback").
func kindOf(name string) string {
	if strings.HasPrefix(name, "peer=") {
		return "peer"
	}
	return "impl"
}

func columnsOf(c *benchmarks.Case, cpus []int) []column {
	var single, par bool
	for _, i := range c.Impls {
		single = single || i.Single != nil
		par = par || i.Parallel != nil
	}
	var cols []column
	if single {
		cols = append(cols, column{Label: "1 goroutine", Procs: runtime.GOMAXPROCS(0)})
	}
	if par {
		for _, n := range cpus {
			l := fmt.Sprintf("%d CPUs", n)
			if n == 1 {
				l = "1 CPU"
			}
			cols = append(cols, column{Label: l, Parallel: true, Procs: n})
		}
	}
	return cols
}

func (c *cell) add(s sample) {
	if s.Err != "" {
		c.Err = s.Err
		return
	}
	c.Samples = append(c.Samples, s.NsPerOp)
	c.allocs = append(c.allocs, s.AllocsPerOp)
	c.bytes = append(c.bytes, s.BytesPerOp)
}

// finish computes medians, spreads and ratios to the best peer.
func (cj *caseJSON) finish() {
	for _, row := range cj.Rows {
		var maxAllocs float64
		seen := false
		for _, c := range row.Cells {
			if c == nil || len(c.Samples) == 0 {
				continue
			}
			c.Median, c.Min, c.Max = medianOf(c.Samples), slices.Min(c.Samples), slices.Max(c.Samples)
			c.Allocs, c.Bytes = medianOf(c.allocs), medianOf(c.bytes)
			maxAllocs = max(maxAllocs, c.Allocs)
			seen = true
		}
		if seen {
			row.AllocsOp = &maxAllocs
		}
	}
	for k := range cj.Columns {
		best := math.Inf(1)
		for _, row := range cj.Rows {
			if c := row.Cells[k]; row.Kind == "peer" && c != nil && len(c.Samples) > 0 {
				best = min(best, c.Median)
			}
		}
		if math.IsInf(best, 1) || best <= 0 {
			continue
		}
		for _, row := range cj.Rows {
			if c := row.Cells[k]; c != nil && len(c.Samples) > 0 {
				c.Ratio = c.Median / best
			}
		}
	}
}

func (mj *memJSON) finish() {
	best := math.Inf(1)
	for _, row := range mj.Rows {
		if len(row.Samples) == 0 {
			continue
		}
		row.RSS, row.RSSMin, row.RSSMax = medianOf(row.Samples), slices.Min(row.Samples), slices.Max(row.Samples)
		row.Heap = medianOf(row.heaps)
		if row.Kind == "peer" && row.RSS > 0 {
			best = min(best, row.RSS)
		}
	}
	if math.IsInf(best, 1) {
		return
	}
	for _, row := range mj.Rows {
		if len(row.Samples) > 0 {
			row.Ratio = row.RSS / best
		}
	}
}

func medianOf(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	s := slices.Clone(v)
	slices.Sort(s)
	if n := len(s); n%2 == 0 {
		return (s[n/2-1] + s[n/2]) / 2
	}
	return s[len(s)/2]
}

func commandLine() string {
	args := []string{"go -C benchmarks run ./cmd/report"}
	for _, a := range os.Args[1:] {
		if strings.ContainsAny(a, " \t'\"$") {
			a = "'" + strings.ReplaceAll(a, "'", `'\''`) + "'"
		}
		args = append(args, a)
	}
	return strings.Join(args, " ")
}

func machineInfo() machine {
	m := machine{GOOS: runtime.GOOS, GOARCH: runtime.GOARCH, GoVersion: runtime.Version(), NumCPU: runtime.NumCPU(), CPUModel: "unknown", Kernel: "unknown"}
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for line := range strings.Lines(string(b)) {
			if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
				m.CPUModel = strings.TrimSpace(v)
				break
			}
		}
	}
	if b, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		m.Kernel = strings.TrimSpace(string(b))
	}
	return m
}

func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}
