package main

import (
	"encoding/json"
	"encoding/xml"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/gorseq/rseq"
	"github.com/gorseq/rseq/benchmarks"
)

// A wantSeries is a line every scaling output must show: a case and an
// implementation with a parallel form, measured at every CPU count of the
// default -cpu list unless it cannot run here.
type wantSeries struct {
	caseName, impl string
	skip           bool
}

// expectedSeries lists, per structure, the series the registry implies.
func expectedSeries() map[string][]wantSeries {
	fallback := rseq.Detect().Backend == rseq.RSEQ
	series := map[string][]wantSeries{}
	for _, s := range benchmarks.Structures() {
		for _, c := range s.Cases {
			for _, impl := range c.Impls {
				if impl.Parallel == nil {
					continue
				}
				series[s.Name] = append(series[s.Name], wantSeries{c.Name, impl.Label(), impl.Skip != ""})
				if impl.Backend && fallback {
					series[s.Name] = append(series[s.Name], wantSeries{c.Name, "impl=atomic", false})
				}
			}
		}
	}
	return series
}

// checkScaling reads the scaling view back from report.json, report.md
// and every <structure>-scaling.svg.
func checkScaling(t *testing.T, out string, want map[string][]wantSeries) {
	t.Helper()
	cpus := cpus()
	b, err := os.ReadFile(filepath.Join(out, "report.json"))
	if err != nil {
		t.Fatal(err)
	}
	var rep Report
	if err := json.Unmarshal(b, &rep); err != nil {
		t.Fatal(err)
	}
	md, err := os.ReadFile(filepath.Join(out, "report.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range rep.Structures {
		ws := want[s.Name]
		if len(ws) == 0 {
			if s.ScalingChart != "" {
				t.Errorf("JSON %s: a scaling chart %q without parallel cases", s.Name, s.ScalingChart)
			}
			continue
		}
		if s.ScalingChart != s.Name+"-scaling.svg" {
			t.Errorf("JSON %s: scaling_chart %q", s.Name, s.ScalingChart)
		}
		checkScalingJSON(t, s, ws, cpus)
		checkScalingMarkdown(t, string(md), s.Name, ws, cpus)
		checkScalingSVG(t, filepath.Join(out, s.Name+"-scaling.svg"), ws, cpus)
	}
	for name := range want {
		if !slices.ContainsFunc(rep.Structures, func(s *structJSON) bool { return s.Name == name }) {
			t.Errorf("JSON: no structure %s", name)
		}
	}
}

func checkScalingJSON(t *testing.T, s *structJSON, want []wantSeries, cpus []int) {
	t.Helper()
	for _, w := range want {
		var c *caseJSON
		for _, cj := range s.Cases {
			if cj.Name == w.caseName {
				c = cj
			}
		}
		if c == nil || c.Scaling == nil {
			t.Errorf("JSON %s/%s: no scaling view", s.Name, w.caseName)
			continue
		}
		if !slices.Equal(c.Scaling.CPUs, cpus) || c.Scaling.Unit != "ns/op" {
			t.Errorf("JSON %s/%s scaling: cpus %v unit %q, want %v ns/op", s.Name, w.caseName, c.Scaling.CPUs, c.Scaling.Unit, cpus)
		}
		i := slices.IndexFunc(c.Scaling.Series, func(sr seriesJSON) bool { return sr.Impl == w.impl })
		if i < 0 {
			t.Errorf("JSON %s/%s scaling: no series %s", s.Name, w.caseName, w.impl)
			continue
		}
		sr := c.Scaling.Series[i]
		if w.skip {
			if sr.Skip == "" || len(sr.Points) != 0 {
				t.Errorf("JSON %s/%s scaling %s: cannot run here, but %+v", s.Name, w.caseName, w.impl, sr)
			}
			continue
		}
		if len(sr.Points) != len(cpus) {
			t.Errorf("JSON %s/%s scaling %s: %d points, want %d", s.Name, w.caseName, w.impl, len(sr.Points), len(cpus))
			continue
		}
		for k, p := range sr.Points {
			// The point must be the table's cell of that column.
			col := slices.IndexFunc(c.Columns, func(col column) bool { return col.Parallel && col.Procs == p.CPUs })
			r := slices.IndexFunc(c.Rows, func(r *rowJSON) bool { return r.Impl == w.impl })
			if p.CPUs != cpus[k] || col < 0 || r < 0 || c.Rows[r].Cells[col] == nil || c.Rows[r].Cells[col].Median != p.Median ||
				p.Median <= 0 || p.Min > p.Median || p.Max < p.Median {
				t.Errorf("JSON %s/%s scaling %s: point %d %+v does not match the table", s.Name, w.caseName, w.impl, k, p)
			}
		}
		if n := len(sr.Points); n > 1 {
			if got := sr.Points[0].Median / sr.Points[n-1].Median; sr.Speedup != got {
				t.Errorf("JSON %s/%s scaling %s: speedup %v, want %v", s.Name, w.caseName, w.impl, sr.Speedup, got)
			}
		}
	}
}

// checkScalingMarkdown finds each case's scaling table and each series'
// row in it, with a figure for every CPU count.
func checkScalingMarkdown(t *testing.T, md, name string, want []wantSeries, cpus []int) {
	t.Helper()
	sec, ok := section(md, "\n## "+name+":")
	if !ok {
		t.Errorf("Markdown: no section for %s", name)
		return
	}
	if !strings.Contains(sec, "]("+name+"-scaling.svg)") {
		t.Errorf("Markdown %s: no link to the scaling chart", name)
	}
	for _, w := range want {
		tab, ok := section(sec, "\n#### "+name+"/"+w.caseName+" scaling:")
		if !ok {
			t.Errorf("Markdown %s/%s: no scaling table", name, w.caseName)
			continue
		}
		var head []string
		found := false
		for line := range strings.Lines(tab) {
			f := strings.Split(line, "|")
			if len(f) < 3 {
				continue
			}
			for i := range f {
				f[i] = strings.TrimSpace(f[i])
			}
			if f[1] == "implementation" {
				head = f
				continue
			}
			if f[1] != w.impl {
				continue
			}
			found = true
			if w.skip {
				if !strings.HasPrefix(f[2], "cannot run here: ") {
					t.Errorf("Markdown %s/%s scaling: row %q", name, w.caseName, strings.TrimSpace(line))
				}
				continue
			}
			for k, n := range cpus {
				if k+2 >= len(f) || head == nil || head[k+2] != cpuLabel(n)+" ns/op" {
					t.Errorf("Markdown %s/%s scaling: no column for %s in %q", name, w.caseName, cpuLabel(n), head)
					continue
				}
				if v, err := strconv.ParseFloat(f[k+2], 64); err != nil || v <= 0 {
					t.Errorf("Markdown %s/%s scaling %s: %s cell %q", name, w.caseName, w.impl, cpuLabel(n), f[k+2])
				}
			}
			if len(cpus) > 1 && !strings.HasSuffix(f[len(cpus)+2], "×") {
				t.Errorf("Markdown %s/%s scaling %s: speedup cell %q", name, w.caseName, w.impl, f[len(cpus)+2])
			}
		}
		if !found {
			t.Errorf("Markdown %s/%s scaling: no row %s", name, w.caseName, w.impl)
		}
	}
}

// checkScalingSVG parses the chart and looks for a series per
// implementation with a point at every CPU count.
func checkScalingSVG(t *testing.T, path string, want []wantSeries, cpus []int) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Error(err)
		return
	}
	defer f.Close()
	points := map[[2]string][]int{} // (panel, impl) -> the CPUs of its points
	var cur *[2]string
	depth, curDepth := 0, 0
	sawSVG := false
	dec := xml.NewDecoder(f)
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Errorf("%s: %v", path, err)
			return
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
			case e.Name.Local == "g" && attr["class"] == "series":
				k := [2]string{attr["data-panel"], attr["data-impl"]}
				cur, curDepth = &k, depth
				points[k] = []int{}
			case e.Name.Local == "circle" && attr["class"] == "point" && cur != nil:
				n, err1 := strconv.Atoi(attr["data-cpus"])
				v, err2 := strconv.ParseFloat(attr["data-ns"], 64)
				if err1 != nil || err2 != nil || v <= 0 {
					t.Errorf("%s: bad point %v in %v", filepath.Base(path), attr, *cur)
				}
				points[*cur] = append(points[*cur], n)
			}
		case xml.EndElement:
			if cur != nil && depth == curDepth {
				cur = nil
			}
			depth--
		}
	}
	if !sawSVG {
		t.Errorf("%s: no <svg> element", path)
	}
	for _, w := range want {
		got, ok := points[[2]string{w.caseName, w.impl}]
		switch {
		case !ok:
			t.Errorf("%s: no series for %s in panel %q", filepath.Base(path), w.impl, w.caseName)
		case w.skip && len(got) != 0:
			t.Errorf("%s: %s cannot run here but has points %v", filepath.Base(path), w.impl, got)
		case !w.skip && !slices.Equal(got, cpus):
			t.Errorf("%s: series %s in panel %q has points at %v CPUs, want %v", filepath.Base(path), w.impl, w.caseName, got, cpus)
		}
	}
}

func TestDefaultCPUs(t *testing.T) {
	for _, tc := range []struct {
		n    int
		want []int
	}{{1, []int{1}}, {2, []int{1, 2}}, {6, []int{1, 2, 4, 6}}, {8, []int{1, 2, 4, 8}}, {64, []int{1, 2, 4, 8, 16, 32, 64}}, {96, []int{1, 2, 4, 8, 16, 32, 64, 96}}} {
		if got := defaultCPUs(tc.n); !slices.Equal(got, tc.want) {
			t.Errorf("defaultCPUs(%d) = %v, want %v", tc.n, got, tc.want)
		}
	}
}

// TestScalingOrder: -cpu values given out of order are plotted in order,
// and a case without parallel columns has no scaling view.
func TestScalingOrder(t *testing.T) {
	cj := &caseJSON{
		Columns: []column{{Label: "1 goroutine"}, {Label: "4 CPUs", Parallel: true, Procs: 4}, {Label: "1 CPU", Parallel: true, Procs: 1}},
		Rows: []*rowJSON{
			{Impl: "impl=rseq", Kind: "impl", Cells: []*cell{{Median: 9, Samples: []float64{9}}, {Median: 2, Samples: []float64{2}}, {Median: 8, Samples: []float64{8}}}},
			{Impl: "peer=x", Kind: "peer", Cells: []*cell{{Median: 9, Samples: []float64{9}}, nil, nil}},
		},
	}
	cj.buildScaling()
	sc := cj.Scaling
	if sc == nil || !slices.Equal(sc.CPUs, []int{1, 4}) || len(sc.Series) != 1 {
		t.Fatalf("scaling %+v", sc)
	}
	if s := sc.Series[0]; s.Points[0].CPUs != 1 || s.Points[0].Median != 8 || s.Points[1].Median != 2 || s.Speedup != 4 {
		t.Errorf("series %+v", s)
	}
	single := &caseJSON{Columns: []column{{Label: "1 goroutine"}}, Rows: cj.Rows[1:]}
	single.buildScaling()
	if single.Scaling != nil {
		t.Errorf("a case without parallel columns has a scaling view: %+v", single.Scaling)
	}
}

func TestLogAxis(t *testing.T) {
	for _, tc := range []struct{ lo, hi, a, z float64 }{
		{0.3, 4, 0.2, 5}, {2.1, 2.4, 2, 5}, {3, 700, 2, 1000}, {0.05, 5000, 0.01, 10000},
	} {
		a, z, ticks := logAxis(tc.lo, tc.hi)
		if diff(a, tc.a) > 1e-9 || diff(z, tc.z) > 1e-9 || ticks[0] != a || ticks[len(ticks)-1] != z || a > tc.lo || z < tc.hi {
			t.Errorf("logAxis(%v, %v) = %v, %v, %v; want ends %v, %v", tc.lo, tc.hi, a, z, ticks, tc.a, tc.z)
		}
	}
}
