package main

import (
	"encoding/xml"
	"fmt"
	"math"
	"strings"
)

// The charts: one SVG per structure, a panel per case and column (and one
// for memory), each with its own axis. A bar is the median, its whisker
// the min–max of the runs. Every bar is a <g class="bar"> whose data-impl
// and data-panel attributes name it, which the tests read back.

const (
	svgWidth  = 820
	svgLabelW = 180 // implementation names, right-aligned before the bars
	svgPlotW  = 460
	svgRowH   = 18
	svgBarH   = 13
)

var svgFill = map[string]string{
	"impl":     "#2563eb",
	"fallback": "#93c5fd",
	"peer":     "#9ca3af",
}

type svgBar struct {
	impl, kind string
	v, lo, hi  float64 // median and spread; v < 0: no value
	text       string  // value label
	ratio      string  // ratio to the best peer, formatted
	note       string  // instead of a bar: why there is none
}

type svgPanel struct {
	title, unit string
	bars        []svgBar
}

func esc(s string) string {
	var b strings.Builder
	xml.EscapeText(&b, []byte(s))
	return strings.ReplaceAll(b.String(), `"`, "&#34;")
}

func svgOf(s *structJSON) string {
	var panels []svgPanel
	for _, c := range s.Cases {
		for k, col := range c.Columns {
			p := svgPanel{title: fmt.Sprintf("%s · %s", c.Name, col.Label), unit: "ns/op"}
			for _, r := range c.Rows {
				bar := svgBar{impl: r.Impl, kind: r.Kind, v: -1}
				cl := r.Cells[k]
				switch {
				case r.Skip != "":
					bar.note = "cannot run here: " + r.Skip
				case cl == nil:
					continue // no such form
				case len(cl.Samples) == 0:
					bar.note = "failed: " + cl.Err
				default:
					bar.v, bar.lo, bar.hi = cl.Median, cl.Min, cl.Max
					bar.text, bar.ratio = fmtNs(cl.Median), fmtRatio(cl.Ratio)
				}
				p.bars = append(p.bars, bar)
			}
			panels = append(panels, p)
		}
	}
	if mj := s.Memory; mj != nil {
		p := svgPanel{title: "Memory · resident bytes per " + mj.Unit, unit: "B/" + mj.Unit}
		for _, r := range mj.Rows {
			bar := svgBar{impl: r.Impl, kind: r.Kind, v: -1}
			switch {
			case r.Skip != "":
				bar.note = "cannot run here: " + r.Skip
			case len(r.Samples) == 0:
				bar.note = "failed: " + r.Err
			default:
				bar.v, bar.lo, bar.hi = max(r.RSS, 0), max(r.RSSMin, 0), max(r.RSSMax, 0)
				bar.text, bar.ratio = fmt.Sprintf("%.0f", r.RSS), fmtRatio(r.Ratio)
			}
			p.bars = append(p.bars, bar)
		}
		panels = append(panels, p)
	}

	var body strings.Builder
	y := 50.0
	for _, p := range panels {
		y = p.render(&body, y)
	}
	height := int(y) + 10
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="sans-serif" font-size="12">`+"\n",
		svgWidth, height, svgWidth, height)
	fmt.Fprintf(&b, `<title>%s</title>`+"\n", esc("rseq benchmarks: "+s.Name))
	fmt.Fprintf(&b, `<rect width="%d" height="%d" fill="#ffffff"/>`+"\n", svgWidth, height)
	fmt.Fprintf(&b, `<text x="10" y="20" font-size="15" font-weight="bold">%s</text>`+"\n", esc(s.Name+": "+s.Doc))
	fmt.Fprintf(&b, `<text x="10" y="38" fill="#4b5563">%s</text>`+"\n",
		esc("bars: median of the runs; whiskers: min–max; figures: the median and its ratio to the best peer's"))
	b.WriteString(body.String())
	b.WriteString("</svg>\n")
	return b.String()
}

// render draws the panel from y down and returns the y below it.
func (p svgPanel) render(b *strings.Builder, y float64) float64 {
	fmt.Fprintf(b, `<g class="panel" data-panel="%s">`+"\n", esc(p.title))
	fmt.Fprintf(b, `<text x="10" y="%.0f" font-weight="bold">%s</text>`+"\n", y+14, esc(p.title+" ("+p.unit+")"))
	top := y + 22
	axisMax, step := niceAxis(p.axisHigh())
	x0 := float64(svgLabelW)
	scale := func(v float64) float64 { return x0 + min(v, axisMax)/axisMax*svgPlotW }
	bottom := top + float64(len(p.bars))*svgRowH
	// Grid lines and tick labels.
	for t := 0.0; t <= axisMax*1.0000001; t += step {
		x := scale(t)
		fmt.Fprintf(b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#e5e7eb"/>`+"\n", x, top-2, x, bottom+2)
		fmt.Fprintf(b, `<text x="%.1f" y="%.1f" text-anchor="middle" fill="#4b5563" font-size="10">%s</text>`+"\n", x, bottom+14, esc(tickLabel(t, step)))
	}
	fmt.Fprintf(b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="#6b7280"/>`+"\n", x0, bottom+2, x0+svgPlotW, bottom+2)
	for i, bar := range p.bars {
		by := top + float64(i)*svgRowH
		mid := by + svgBarH/2
		fmt.Fprintf(b, `<g class="bar" data-impl="%s" data-panel="%s" data-kind="%s">`, esc(bar.impl), esc(p.title), esc(bar.kind))
		fmt.Fprintf(b, `<text x="%.1f" y="%.1f" text-anchor="end">%s</text>`, x0-8, mid+4, esc(bar.impl))
		if bar.v < 0 {
			fmt.Fprintf(b, `<text x="%.1f" y="%.1f" fill="#b91c1c">%s</text>`, x0+4, mid+4, esc(bar.note))
		} else {
			fmt.Fprintf(b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%d" fill="%s"><title>%s</title></rect>`,
				x0, by, math.Max(scale(bar.v)-x0, 0.5), svgBarH, svgFill[bar.kind], esc(bar.impl+": "+bar.text+" "+bar.ratio))
			if bar.v > axisMax {
				// Off the axis: a break across the bar's end.
				e := x0 + svgPlotW
				fmt.Fprintf(b, `<path d="M%.1f %.1fl6 %dM%.1f %.1fl6 %d" stroke="#ffffff" stroke-width="2"/>`,
					e-14, by-1, svgBarH+2, e-9, by-1, svgBarH+2)
			}
			if bar.hi > bar.lo {
				l, h := scale(bar.lo), scale(bar.hi)
				fmt.Fprintf(b, `<path d="M%.1f %.1fH%.1fM%.1f %.1fV%.1f" stroke="#111827" fill="none"/>`, l, mid, h, l, mid-3, mid+3)
				if bar.hi <= axisMax {
					fmt.Fprintf(b, `<path d="M%.1f %.1fV%.1f" stroke="#111827" fill="none"/>`, h, mid-3, mid+3)
				} else { // the whisker goes on: an arrowhead
					fmt.Fprintf(b, `<path d="M%.1f %.1fl-5 -3v6z" fill="#111827"/>`, h, mid)
				}
			}
			fmt.Fprintf(b, `<text x="%.1f" y="%.1f" text-anchor="end">%s</text>`, x0+svgPlotW+62, mid+4, esc(bar.text))
			fmt.Fprintf(b, `<text x="%.1f" y="%.1f" text-anchor="end" fill="#4b5563">%s</text>`, x0+svgPlotW+120, mid+4, esc(bar.ratio))
		}
		b.WriteString("</g>\n")
	}
	b.WriteString("</g>\n")
	return bottom + 34
}

// axisHigh is the value the axis must reach: the medians within 30x of
// the smallest, with room for their whiskers up to twice the largest of
// them. Bars beyond it are drawn broken at the axis end, whiskers beyond it
// end in an arrowhead: one slow implementation or one noisy run does not
// squash every other bar.
func (p svgPanel) axisHigh() float64 {
	lo := math.Inf(1)
	for _, b := range p.bars {
		if b.v > 0 {
			lo = min(lo, b.v)
		}
	}
	var top, whisk float64
	for _, b := range p.bars {
		if b.v >= 0 && b.v <= 30*lo {
			top, whisk = max(top, b.v), max(whisk, b.hi)
		}
	}
	return max(top*1.1, min(whisk, 2*top))
}

// niceAxis returns an axis end at or above hi and a tick step of 1, 2 or 5
// times a power of ten, for about five ticks.
func niceAxis(hi float64) (end, step float64) {
	if hi <= 0 || math.IsNaN(hi) || math.IsInf(hi, 0) {
		return 1, 0.2
	}
	raw := hi / 5
	p := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, m := range []float64{1, 2, 5, 10} {
		if step = m * p; step >= raw {
			break
		}
	}
	return math.Ceil(hi/step) * step, step
}

func tickLabel(v, step float64) string {
	switch {
	case step >= 1:
		return fmt.Sprintf("%.0f", v)
	case step >= 0.1:
		return fmt.Sprintf("%.1f", v)
	}
	return fmt.Sprintf("%.2f", v)
}
