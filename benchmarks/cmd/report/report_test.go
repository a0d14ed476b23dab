package main

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gorseq/rseq"
	"github.com/gorseq/rseq/benchmarks"
)

// runMainEnv makes the test binary run the command's main instead of the
// tests, so that the test can run the command, which re-runs itself (the
// GORSEQ=atomic child, the memory children), without building it.
const runMainEnv = "GORSEQ_REPORT_TEST_MAIN"

func TestMain(m *testing.M) {
	if os.Getenv(runMainEnv) == "1" {
		main()
		return
	}
	os.Exit(m.Run())
}

// TestReport runs the command with a tiny budget and reads its Markdown,
// JSON and SVG outputs back: every structure, case, implementation and
// peer must be there, measured.
func TestReport(t *testing.T) {
	out := t.TempDir()
	cmd := exec.Command(os.Args[0], "-quick", "-count", "2", "-benchtime", "1ms", "-memn", "2000", "-out", out)
	cmd.Env = append(os.Environ(), runMainEnv+"=1")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("report: %v\nstderr:\n%s", err, stderr.String())
	}
	t.Logf("stderr:\n%s", stderr.String())
	if !strings.Contains(stdout.String(), "rseq.Detect(): "+rseq.Detect().String()) {
		t.Errorf("stdout lacks the detection report:\n%s", stdout.String())
	}
	if !strings.Contains(stderr.String(), "measured ") {
		t.Errorf("stderr lacks the progress lines:\n%s", stderr.String())
	}

	want := expectedRows()
	checkJSON(t, filepath.Join(out, "report.json"), want)
	checkMarkdown(t, filepath.Join(out, "report.md"), want)
	for _, s := range benchmarks.Structures() {
		checkSVG(t, filepath.Join(out, s.Name+".svg"), want[s.Name])
	}
	checkScaling(t, out, expectedSeries())
}

// A wantRow is a row every output must show: a panel (case and column
// label, or "Memory") and an implementation label.
type wantRow struct {
	caseName, column, impl string
	skip                   bool
}

// expectedRows lists, per structure, the rows the registry implies.
func expectedRows() map[string][]wantRow {
	fallback := rseq.Detect().Backend == rseq.RSEQ
	rows := map[string][]wantRow{}
	for _, s := range benchmarks.Structures() {
		for _, c := range s.Cases {
			for _, col := range columnsOf(c, cpus()) {
				for _, impl := range c.Impls {
					f := impl.Single
					if col.Parallel {
						f = impl.Parallel
					}
					if f == nil {
						continue
					}
					rows[s.Name] = append(rows[s.Name], wantRow{c.Name, col.Label, impl.Label(), impl.Skip != ""})
					if impl.Backend && fallback {
						rows[s.Name] = append(rows[s.Name], wantRow{c.Name, col.Label, "impl=atomic", false})
					}
				}
			}
		}
		if m := s.Memory; m != nil {
			for _, mi := range m.Impls {
				rows[s.Name] = append(rows[s.Name], wantRow{"Memory", "", mi.Label(), mi.Skip != ""})
				if mi.Backend && fallback {
					rows[s.Name] = append(rows[s.Name], wantRow{"Memory", "", "impl=atomic", false})
				}
			}
		}
	}
	return rows
}

// cpus is the default -cpu list.
func cpus() []int {
	cfg, _, err := parseFlags(nil, io.Discard)
	if err != nil {
		panic(err)
	}
	return cfg.cpus
}

func checkJSON(t *testing.T, path string, want map[string][]wantRow) {
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var rep Report
	if err := json.Unmarshal(b, &rep); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	if rep.Detect.String != rseq.Detect().String() {
		t.Errorf("JSON detect %q, want %q", rep.Detect.String, rseq.Detect().String())
	}
	if rseq.Detect().Backend == rseq.RSEQ && (rep.Fallback == nil || rep.Fallback.Backend != "atomic") {
		t.Errorf("JSON fallback_detect %+v, want the atomic backend", rep.Fallback)
	}
	structs := map[string]*structJSON{}
	for _, s := range rep.Structures {
		structs[s.Name] = s
	}
	for name, rows := range want {
		s := structs[name]
		if s == nil {
			t.Errorf("JSON: no structure %s", name)
			continue
		}
		for _, w := range rows {
			if w.caseName == "Memory" {
				checkMemRow(t, s, w)
				continue
			}
			checkCell(t, s, w)
		}
	}
}

func checkCell(t *testing.T, s *structJSON, w wantRow) {
	t.Helper()
	for _, c := range s.Cases {
		if c.Name != w.caseName {
			continue
		}
		for k, col := range c.Columns {
			if col.Label != w.column {
				continue
			}
			for _, r := range c.Rows {
				if r.Impl != w.impl {
					continue
				}
				if w.skip {
					if r.Skip == "" {
						t.Errorf("JSON %s/%s %s: a peer that cannot run has no reason", s.Name, c.Name, w.impl)
					}
					return
				}
				cl := r.Cells[k]
				switch {
				case cl == nil:
					t.Errorf("JSON %s/%s %s %s: no cell", s.Name, c.Name, w.impl, w.column)
				case cl.Err != "" || len(cl.Samples) != 2 || cl.Median <= 0 || cl.Min > cl.Median || cl.Max < cl.Median:
					t.Errorf("JSON %s/%s %s %s: cell %+v", s.Name, c.Name, w.impl, w.column, cl)
				case r.Kind == "peer" && cl.Ratio < 1-1e-9:
					t.Errorf("JSON %s/%s %s %s: a peer's ratio to the best peer is %v", s.Name, c.Name, w.impl, w.column, cl.Ratio)
				case cl.Ratio <= 0 && hasPeers(c):
					t.Errorf("JSON %s/%s %s %s: no ratio", s.Name, c.Name, w.impl, w.column)
				}
				return
			}
		}
	}
	t.Errorf("JSON: no row %s/%s %s %s", s.Name, w.caseName, w.impl, w.column)
}

func hasPeers(c *caseJSON) bool {
	for _, r := range c.Rows {
		if r.Kind == "peer" {
			return true
		}
	}
	return false
}

func checkMemRow(t *testing.T, s *structJSON, w wantRow) {
	t.Helper()
	if s.Memory == nil {
		t.Errorf("JSON %s: no memory table", s.Name)
		return
	}
	for _, r := range s.Memory.Rows {
		if r.Impl != w.impl {
			continue
		}
		if !w.skip && (r.Err != "" || len(r.Samples) != 2) {
			t.Errorf("JSON %s/Memory %s: row %+v", s.Name, w.impl, r)
		}
		return
	}
	t.Errorf("JSON %s/Memory: no row %s", s.Name, w.impl)
}

// checkMarkdown looks for every structure's section, every case's heading
// and every row in the table under it.
func checkMarkdown(t *testing.T, path string, want map[string][]wantRow) {
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	md := string(b)
	for name, rows := range want {
		sec, ok := section(md, "\n## "+name+":")
		if !ok {
			t.Errorf("Markdown: no section for %s", name)
			continue
		}
		if !strings.Contains(sec, "]("+name+".svg)") {
			t.Errorf("Markdown %s: no link to the chart", name)
		}
		for _, w := range rows {
			table, ok := section(sec, "\n### "+name+"/"+w.caseName+":")
			if !ok {
				t.Errorf("Markdown %s: no table for %s", name, w.caseName)
				continue
			}
			if w.column != "" && !strings.Contains(table, " "+w.column+" ns/op |") {
				t.Errorf("Markdown %s/%s: no column %q", name, w.caseName, w.column)
			}
			found := false
			for line := range strings.Lines(table) {
				f := strings.Split(line, "|")
				if len(f) > 2 && strings.TrimSpace(f[1]) == w.impl {
					found = true
					cell := strings.TrimSpace(f[2])
					if w.skip != strings.HasPrefix(cell, "cannot run here: ") || strings.HasPrefix(cell, "failed") || cell == "" {
						t.Errorf("Markdown %s/%s: row %q", name, w.caseName, strings.TrimSpace(line))
					}
				}
			}
			if !found {
				t.Errorf("Markdown %s/%s: no row %s", name, w.caseName, w.impl)
			}
		}
	}
}

// section returns the text from the heading to the next heading of the
// same level.
func section(s, heading string) (string, bool) {
	i := strings.Index(s, heading)
	if i < 0 {
		return "", false
	}
	rest := s[i+len(heading):]
	if j := strings.Index(rest, heading[:strings.Index(heading, " ")+1]); j >= 0 {
		rest = rest[:j]
	}
	return rest, true
}

// checkSVG parses the chart and looks for a bar per row, drawn (a rect)
// unless the implementation cannot run.
func checkSVG(t *testing.T, path string, want []wantRow) {
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	type bar struct {
		rect bool
		kind string
	}
	bars := map[[2]string]*bar{}
	var cur *bar
	depth, curDepth := 0, 0
	dec := xml.NewDecoder(f)
	sawSVG := false
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		switch e := tok.(type) {
		case xml.StartElement:
			depth++
			attr := map[string]string{}
			for _, a := range e.Attr {
				attr[a.Name.Local] = a.Value
			}
			switch {
			case e.Name.Local == "svg":
				sawSVG = true
			case e.Name.Local == "g" && attr["class"] == "bar":
				cur, curDepth = &bar{kind: attr["data-kind"]}, depth
				bars[[2]string{attr["data-panel"], attr["data-impl"]}] = cur
			case e.Name.Local == "rect" && cur != nil:
				cur.rect = true
			}
		case xml.EndElement:
			if cur != nil && depth == curDepth {
				cur = nil
			}
			depth--
		}
	}
	if !sawSVG {
		t.Fatalf("%s: no <svg> element", path)
	}
	for _, w := range want {
		panel := w.caseName + " · " + w.column
		if w.caseName == "Memory" {
			for p := range bars {
				if strings.HasPrefix(p[0], "Memory · ") {
					panel = p[0]
				}
			}
		}
		b := bars[[2]string{panel, w.impl}]
		switch {
		case b == nil:
			t.Errorf("%s: no bar for %s in panel %q", filepath.Base(path), w.impl, panel)
		case b.rect == w.skip:
			t.Errorf("%s: bar for %s in panel %q: drawn %v, want %v", filepath.Base(path), w.impl, panel, b.rect, !w.skip)
		}
	}
}

func TestFlags(t *testing.T) {
	for _, args := range [][]string{
		{"-cpu", "1,x"}, {"-cpu", "0"}, {"-count", "-1"}, {"-run", "("}, {"extra"},
	} {
		if _, _, err := parseFlags(args, io.Discard); err == nil {
			t.Errorf("parseFlags(%q): no error", args)
		} else if !strings.Contains(err.Error(), args[len(args)-1]) {
			t.Errorf("parseFlags(%q): %v does not name the bad value", args, err)
		}
	}
	cfg, _, err := parseFlags([]string{"-quick", "-cpu", "1,2,4", "-count", "7"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.cpus) != 3 || cfg.cpus[2] != 4 || cfg.count != 7 || cfg.benchtime <= 0 || cfg.memN <= 0 {
		t.Errorf("parseFlags: %+v", cfg)
	}
}

func TestNiceAxis(t *testing.T) {
	for _, tc := range []struct{ hi, end, step float64 }{
		{0, 1, 0.2}, {4.3, 5, 1}, {9.9, 10, 2}, {12, 15, 5}, {170, 200, 50}, {0.8, 0.8, 0.2},
	} {
		end, step := niceAxis(tc.hi)
		if diff(end, tc.end) > 1e-9 || diff(step, tc.step) > 1e-9 {
			t.Errorf("niceAxis(%v) = %v, %v; want %v, %v", tc.hi, end, step, tc.end, tc.step)
		}
	}
}

func diff(a, b float64) float64 {
	if a > b {
		return a - b
	}
	return b - a
}

func TestMedian(t *testing.T) {
	for _, tc := range []struct {
		in   []float64
		want float64
	}{{nil, 0}, {[]float64{3}, 3}, {[]float64{5, 1, 3}, 3}, {[]float64{4, 1, 3, 2}, 2.5}} {
		if got := medianOf(tc.in); got != tc.want {
			t.Errorf("medianOf(%v) = %v, want %v", tc.in, got, tc.want)
		}
	}
}
