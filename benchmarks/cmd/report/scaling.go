package main

import (
	"fmt"
	"math"
	"math/bits"
	"strconv"
	"strings"
)

// The scaling view: for every case with parallel columns, ns/op of each
// implementation against the number of CPUs the run was given (GOMAXPROCS,
// the -cpu values), as a table in report.md, a "scaling" object in
// report.json and one line chart per structure, <structure>-scaling.svg.
// It is a second view of the parallel columns of the tables, not a second
// measurement.
//
// How to read it: ns/op of a b.RunParallel case is wall time divided by
// the operations of all goroutines together, so an implementation whose
// operations do not interfere gets cheaper as CPUs are added (its line
// falls, ideally as 1/N: the dashed line), one that serializes on a shared
// word stays flat, and one that fights over a cache line gets dearer.
// Speedup is ns/op on the fewest CPUs divided by ns/op on the most: the
// throughput the extra CPUs bought (the number of CPUs itself is ideal).

// defaultCPUs is the default of -cpu: 1 and every power of two up to n,
// then n itself when it is not a power of two.
func defaultCPUs(n int) []int {
	var cpus []int
	for c := 1; c <= n; c *= 2 {
		cpus = append(cpus, c)
	}
	if n > 1 && bits.OnesCount(uint(n)) != 1 {
		cpus = append(cpus, n)
	}
	return cpus
}

// scalingJSON is one case's scaling view.
type scalingJSON struct {
	CPUs    []int        `json:"cpus"`    // the x axis: GOMAXPROCS of each point, ascending
	Unit    string       `json:"unit"`    // of the points: "ns/op"
	Speedup string       `json:"speedup"` // what speedup means
	Series  []seriesJSON `json:"series"`  // one per implementation that has a parallel form
}

type seriesJSON struct {
	Impl    string      `json:"impl"`
	Kind    string      `json:"kind"`
	Points  []pointJSON `json:"points"`            // one per CPU count measured, ascending
	Speedup float64     `json:"speedup,omitempty"` // ns/op at the fewest CPUs / ns/op at the most
	Skip    string      `json:"skip,omitempty"`
}

type pointJSON struct {
	CPUs   int     `json:"cpus"`
	Median float64 `json:"median_ns"`
	Min    float64 `json:"min_ns"`
	Max    float64 `json:"max_ns"`
}

const speedupDoc = "median ns/op at the fewest CPUs divided by the median at the most: the throughput the added CPUs gave (ideal: the ratio of the CPU counts)"

// buildScaling fills cj.Scaling from the parallel columns of the finished
// case; it leaves it nil when the case has none.
func (cj *caseJSON) buildScaling() {
	var cols []int // indexes of the parallel columns, by ascending CPUs
	for k, col := range cj.Columns {
		if col.Parallel {
			cols = append(cols, k)
		}
	}
	if len(cols) == 0 {
		return
	}
	// The -cpu values come in the order given: sort the columns by CPUs
	// (stable, a few elements).
	for i := 1; i < len(cols); i++ {
		for j := i; j > 0 && cj.Columns[cols[j]].Procs < cj.Columns[cols[j-1]].Procs; j-- {
			cols[j], cols[j-1] = cols[j-1], cols[j]
		}
	}
	sc := &scalingJSON{Unit: "ns/op", Speedup: speedupDoc}
	for _, k := range cols {
		sc.CPUs = append(sc.CPUs, cj.Columns[k].Procs)
	}
	for _, r := range cj.Rows {
		s := seriesJSON{Impl: r.Impl, Kind: r.Kind, Skip: r.Skip}
		has := false
		for _, k := range cols {
			c := r.Cells[k]
			if c == nil {
				continue
			}
			has = true
			if len(c.Samples) == 0 {
				continue
			}
			s.Points = append(s.Points, pointJSON{CPUs: cj.Columns[k].Procs, Median: c.Median, Min: c.Min, Max: c.Max})
		}
		if !has {
			continue // no parallel form
		}
		if n := len(s.Points); n >= 2 && s.Points[0].CPUs < s.Points[n-1].CPUs && s.Points[n-1].Median > 0 {
			s.Speedup = s.Points[0].Median / s.Points[n-1].Median
		}
		sc.Series = append(sc.Series, s)
	}
	cj.Scaling = sc
}

// hasScaling reports whether some case of s has a scaling view.
func (s *structJSON) hasScaling() bool {
	for _, c := range s.Cases {
		if c.Scaling != nil {
			return true
		}
	}
	return false
}

func fmtSpeedup(v float64) string {
	if v == 0 {
		return ""
	}
	return fmt.Sprintf("%.2f×", v)
}

func cpuLabel(n int) string {
	if n == 1 {
		return "1 CPU"
	}
	return strconv.Itoa(n) + " CPUs"
}

// scalingMarkdown renders the scaling tables of one structure.
func scalingMarkdown(b *strings.Builder, s *structJSON) {
	if !s.hasScaling() {
		return
	}
	fmt.Fprintf(b, "\n### %s: scaling\n\n![%s scaling](%s)\n\n", s.Name, s.Name, s.ScalingChart)
	fmt.Fprintf(b, "ns/op (median) against the number of CPUs; speedup: %s.\n", speedupDoc)
	for _, c := range s.Cases {
		sc := c.Scaling
		if sc == nil {
			continue
		}
		fmt.Fprintf(b, "\n#### %s/%s scaling: %s\n\n", s.Name, c.Name, c.Op)
		head := []string{"implementation"}
		right := []bool{false}
		for _, n := range sc.CPUs {
			head = append(head, cpuLabel(n)+" ns/op")
			right = append(right, true)
		}
		head = append(head, "speedup")
		right = append(right, true)
		var rows [][]string
		for _, sr := range sc.Series {
			if sr.Skip != "" {
				rows = append(rows, skippedRow(sr.Impl, sr.Skip, len(head)))
				continue
			}
			row := []string{sr.Impl}
			for _, n := range sc.CPUs {
				v := "—"
				for _, p := range sr.Points {
					if p.CPUs == n {
						v = fmtNs(p.Median)
					}
				}
				row = append(row, v)
			}
			row = append(row, fmtSpeedup(sr.Speedup))
			rows = append(rows, row)
		}
		b.WriteString(table(head, right, rows))
	}
}

// The chart: a panel per case, x = CPUs on a log2 axis (one tick per CPU
// count measured), y = ns/op on a log10 axis, a polyline per
// implementation, the dashed ideal 1/N line through the fastest
// implementation's first point for the b.RunParallel cases. Every series
// is a <g class="series"> whose data-impl and data-panel name it, holding a
// <circle class="point"> per point with data-cpus and data-ns, which the
// tests read back.

const (
	scPanelW  = 560 // plot width
	scPanelH  = 240 // plot height
	scLeft    = 70  // room for the y tick labels
	scLegendW = 320
	scWidth   = scLeft + scPanelW + 20 + scLegendW
)

// scPalette colours the series of a panel in order; the module's rows are
// drawn thicker.
var scPalette = []string{"#2563eb", "#93c5fd", "#dc2626", "#16a34a", "#9333ea", "#ea580c", "#0891b2", "#ca8a04", "#db2777", "#4b5563", "#65a30d", "#7c3aed"}

func scalingSVG(s *structJSON) string {
	var body strings.Builder
	y := 50.0
	for _, c := range s.Cases {
		if c.Scaling != nil {
			y = scalingPanel(&body, c, y)
		}
	}
	height := int(y) + 10
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="sans-serif" font-size="12">`+"\n",
		scWidth, height, scWidth, height)
	fmt.Fprintf(&b, `<title>%s</title>`+"\n", esc("rseq benchmarks, scaling: "+s.Name))
	fmt.Fprintf(&b, `<rect width="%d" height="%d" fill="#ffffff"/>`+"\n", scWidth, height)
	fmt.Fprintf(&b, `<text x="10" y="20" font-size="15" font-weight="bold">%s</text>`+"\n", esc(s.Name+": ns/op against the number of CPUs"))
	fmt.Fprintf(&b, `<text x="10" y="38" fill="#4b5563">%s</text>`+"\n",
		esc("log-log; lower is faster; points: medians, bars: min–max; dashed: ideal scaling (ns/op ÷ N) from the fastest at the fewest CPUs"))
	b.WriteString(body.String())
	b.WriteString("</svg>\n")
	return b.String()
}

// logAxis returns decade-aligned ends around [lo, hi] and ticks at 1, 2
// and 5 times powers of ten between them (only the decades when the range
// is wide).
func logAxis(lo, hi float64) (a, z float64, ticks []float64) {
	if !(lo > 0) || math.IsInf(hi, 0) || hi < lo {
		return 1, 10, []float64{1, 2, 5, 10}
	}
	a = math.Pow(10, math.Floor(math.Log10(lo)))
	z = math.Pow(10, math.Ceil(math.Log10(hi)))
	if z <= a {
		z = a * 10
	}
	mult := []float64{1, 2, 5}
	if z/a > 1e3 {
		mult = []float64{1}
	}
	for d := a; d <= z*1.0000001; d *= 10 {
		for _, m := range mult {
			if v := d * m; v <= z*1.0000001 {
				ticks = append(ticks, v)
			}
		}
	}
	// Tighten the ends to the ticks just around the data.
	for len(ticks) > 2 && ticks[1] <= lo {
		ticks = ticks[1:]
	}
	for len(ticks) > 2 && ticks[len(ticks)-2] >= hi {
		ticks = ticks[:len(ticks)-1]
	}
	return ticks[0], ticks[len(ticks)-1], ticks
}

func scalingPanel(b *strings.Builder, c *caseJSON, y float64) float64 {
	sc := c.Scaling
	title := c.Name
	fmt.Fprintf(b, `<g class="panel" data-panel="%s">`+"\n", esc(title))
	heading := c.Name + ": " + c.Op
	if c.ParDoc != "" {
		heading += " (" + c.ParDoc + ")"
	}
	fmt.Fprintf(b, `<text x="10" y="%.0f" font-weight="bold">%s</text>`+"\n", y+14, esc(heading))
	top, left := y+26, float64(scLeft)
	bottom := top + scPanelH

	lo, hi := math.Inf(1), 0.0
	for _, s := range sc.Series {
		for _, p := range s.Points {
			lo, hi = min(lo, p.Min, p.Median), max(hi, p.Max, p.Median)
		}
	}
	ideal := 0.0 // the ideal line's start, 0 when there is none
	if !isFixed(c) && len(sc.CPUs) > 1 {
		best := math.Inf(1)
		for _, s := range sc.Series {
			if len(s.Points) > 0 && s.Points[0].CPUs == sc.CPUs[0] {
				best = min(best, s.Points[0].Median)
			}
		}
		if !math.IsInf(best, 1) {
			ideal = best
			lo = min(lo, best*float64(sc.CPUs[0])/float64(sc.CPUs[len(sc.CPUs)-1]))
		}
	}
	ya, yz, yticks := logAxis(lo, hi)
	yOf := func(v float64) float64 {
		v = min(max(v, ya), yz)
		return bottom - (math.Log(v)-math.Log(ya))/(math.Log(yz)-math.Log(ya))*scPanelH
	}
	// x: log2 of the CPU count; a single count sits in the middle.
	x0, x1 := math.Log2(float64(sc.CPUs[0])), math.Log2(float64(sc.CPUs[len(sc.CPUs)-1]))
	xOf := func(n int) float64 {
		if x1 == x0 {
			return left + scPanelW/2
		}
		return left + 20 + (math.Log2(float64(n))-x0)/(x1-x0)*(scPanelW-40)
	}

	// Frame, grid and ticks.
	fmt.Fprintf(b, `<rect x="%.1f" y="%.1f" width="%d" height="%d" fill="none" stroke="#6b7280"/>`+"\n", left, top, scPanelW, scPanelH)
	for _, t := range yticks {
		ty := yOf(t)
		fmt.Fprintf(b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#e5e7eb"/>`+"\n", left, ty, left+scPanelW, ty)
		fmt.Fprintf(b, `<text x="%.1f" y="%.1f" text-anchor="end" fill="#4b5563" font-size="10">%s</text>`+"\n", left-6, ty+3, esc(fmtNs(t)))
	}
	for _, n := range sc.CPUs {
		tx := xOf(n)
		fmt.Fprintf(b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#e5e7eb"/>`+"\n", tx, top, tx, bottom)
		fmt.Fprintf(b, `<text x="%.1f" y="%.1f" text-anchor="middle" fill="#4b5563" font-size="10">%d</text>`+"\n", tx, bottom+14, n)
	}
	fmt.Fprintf(b, `<text x="%.1f" y="%.1f" text-anchor="middle" fill="#4b5563">CPUs (GOMAXPROCS)</text>`+"\n", left+scPanelW/2, bottom+30)
	fmt.Fprintf(b, `<text x="12" y="%.1f" fill="#4b5563" transform="rotate(-90 12 %.1f)" text-anchor="middle">ns/op</text>`+"\n",
		top+scPanelH/2, top+scPanelH/2)

	// The ideal line, for the cases where every CPU runs the operation.
	if ideal > 0 {
		n0, n1 := sc.CPUs[0], sc.CPUs[len(sc.CPUs)-1]
		fmt.Fprintf(b, `<path class="ideal" d="M%.1f %.1fL%.1f %.1f" stroke="#9ca3af" stroke-dasharray="5 4" fill="none"/>`+"\n",
			xOf(n0), yOf(ideal), xOf(n1), yOf(ideal*float64(n0)/float64(n1)))
	}

	// Series and legend.
	ly := top + 4
	for i, s := range sc.Series {
		color := scPalette[i%len(scPalette)]
		width := 1.5
		if s.Kind == "impl" {
			width = 3
		}
		fmt.Fprintf(b, `<g class="series" data-impl="%s" data-panel="%s" data-kind="%s">`, esc(s.Impl), esc(title), esc(s.Kind))
		var path strings.Builder
		for j, p := range s.Points {
			cmd := "L"
			if j == 0 {
				cmd = "M"
			}
			fmt.Fprintf(&path, "%s%.1f %.1f", cmd, xOf(p.CPUs), yOf(p.Median))
		}
		if len(s.Points) > 1 {
			fmt.Fprintf(b, `<path d="%s" stroke="%s" stroke-width="%.1f" fill="none"/>`, path.String(), color, width)
		}
		for _, p := range s.Points {
			px := xOf(p.CPUs)
			if p.Max > p.Min {
				fmt.Fprintf(b, `<path d="M%.1f %.1fV%.1f" stroke="%s" fill="none"/>`, px, yOf(p.Min), yOf(p.Max), color)
			}
			fmt.Fprintf(b, `<circle class="point" cx="%.1f" cy="%.1f" r="3.5" fill="%s" data-cpus="%d" data-ns="%g"><title>%s</title></circle>`,
				px, yOf(p.Median), color, p.CPUs, p.Median, esc(fmt.Sprintf("%s, %s: %s ns/op", s.Impl, cpuLabel(p.CPUs), fmtNs(p.Median))))
		}
		// Legend entry.
		lx := left + scPanelW + 20
		fmt.Fprintf(b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="%s" stroke-width="%.1f"/>`, lx, ly, lx+18, ly, color, width)
		label := s.Impl
		switch {
		case s.Skip != "":
			label += ": cannot run here"
		case len(s.Points) == 0:
			label += ": failed"
		case s.Speedup > 0:
			label += "  (speedup " + fmtSpeedup(s.Speedup) + ")"
		}
		fmt.Fprintf(b, `<text x="%.1f" y="%.1f">%s</text>`, lx+24, ly+4, esc(label))
		b.WriteString("</g>\n")
		ly += 16
	}
	b.WriteString("</g>\n")
	return max(bottom+44, ly+10)
}

// isFixed reports whether the case's parallel form runs a fixed set of
// goroutines rather than one per CPU.
func isFixed(c *caseJSON) bool { return c.ParDoc != "" }
