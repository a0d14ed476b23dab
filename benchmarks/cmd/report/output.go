package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
	"time"
	"unicode/utf8"
)

// progress writes a progress line to stderr: rewritten in place on a
// terminal, one line per tenth of the work otherwise.
type progress struct {
	w      io.Writer
	tty    bool
	total  int
	i      int
	decile int
	start  time.Time
}

func newProgress(w io.Writer, total int) *progress {
	p := &progress{w: w, total: total, start: time.Now(), decile: -1}
	if f, ok := w.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
			p.tty = true
		}
	}
	return p
}

func (p *progress) step(label string) {
	eta := ""
	if p.i > 0 {
		left := time.Since(p.start) / time.Duration(p.i) * time.Duration(p.total-p.i)
		eta = "  eta " + left.Round(time.Second).String()
	}
	line := fmt.Sprintf("[%d/%d %3d%%] %s%s", p.i+1, p.total, 100*p.i/max(p.total, 1), label, eta)
	p.i++
	if p.tty {
		fmt.Fprint(p.w, "\r\033[K"+line)
		return
	}
	if d := 10 * (p.i - 1) / max(p.total, 1); d != p.decile {
		p.decile = d
		fmt.Fprintln(p.w, line)
	}
}

func (p *progress) done() {
	if p.tty {
		fmt.Fprint(p.w, "\r\033[K")
	}
	fmt.Fprintf(p.w, "measured %d runs in %s\n", p.total, time.Since(p.start).Round(time.Second))
}

func jsonOf(rep *Report) ([]byte, error) {
	b, err := json.MarshalIndent(rep, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

// Number formats: three significant digits or so.
func fmtNs(v float64) string {
	switch {
	case v < 10:
		return fmt.Sprintf("%.2f", v)
	case v < 100:
		return fmt.Sprintf("%.1f", v)
	}
	return fmt.Sprintf("%.0f", v)
}

func fmtRatio(r float64) string {
	if r == 0 {
		return ""
	}
	return fmt.Sprintf("%.2f×", r)
}

func fmtAllocs(a float64) string {
	if a < 0.005 {
		return "0"
	}
	if a == float64(int64(a)) {
		return fmt.Sprintf("%d", int64(a))
	}
	return fmt.Sprintf("%.2f", a)
}

// markdown renders the report.
func markdown(rep *Report) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# rseq benchmarks\n\n")
	fmt.Fprintf(&b, "`rseq.Detect()`: `%s`\n\n", rep.Detect.String)
	if rep.Fallback != nil {
		fmt.Fprintf(&b, "Fallback rows (`impl=atomic`): a child process with `GORSEQ=atomic`: `%s`\n\n", rep.Fallback.String)
	}
	for _, n := range rep.Notes {
		fmt.Fprintf(&b, "%s\n\n", n)
	}
	m := rep.Machine
	b.WriteString(table([]string{"", ""}, []bool{false, false}, [][]string{
		{"command", "`" + rep.Command + "`"},
		{"CPU", fmt.Sprintf("%s, %d CPUs", m.CPUModel, m.NumCPU)},
		{"kernel", m.Kernel},
		{"Go", fmt.Sprintf("%s %s/%s", m.GoVersion, m.GOOS, m.GOARCH)},
		{"runs", fmt.Sprintf("median of %d interleaved runs of about %s each; spread: min–max", rep.Config.Count, rep.Config.Benchtime)},
		{"load average", fmt.Sprintf("%s at the start, %s at the end", rep.Load[0], rep.Load[1])},
		{"duration", fmt.Sprintf("%.0f s", rep.Duration)},
	}))
	fmt.Fprintf(&b, "\n\"1 goroutine\" is one goroutine's loop (GOMAXPROCS=%d). \"N CPUs\" is b.RunParallel with GOMAXPROCS=N, "+
		"one goroutine per P all working on the same structure, or, for the producer-consumer cases, the goroutines named, sharing N Ps. "+
		"ns/op is the median, with the spread in parentheses; \"× best peer\" divides it by the best peer's median in the same column "+
		"(below 1: faster than every peer). allocs/op is the largest of the columns.\n", rep.Config.Procs1G)

	for _, s := range rep.Structures {
		fmt.Fprintf(&b, "\n## %s: %s\n\n![%s](%s)\n", s.Name, s.Doc, s.Name, s.Chart)
		for _, c := range s.Cases {
			fmt.Fprintf(&b, "\n### %s/%s: %s\n\n", s.Name, c.Name, c.Op)
			var names []string
			for _, n := range []string{c.Bench, c.ParBench} {
				if n != "" {
					names = append(names, "Benchmark"+n)
				}
			}
			note := "go test: " + strings.Join(names, ", ")
			if c.ParDoc != "" {
				note += "; parallel columns: " + c.ParDoc
			}
			fmt.Fprintf(&b, "%s\n\n", note)
			head := []string{"implementation"}
			right := []bool{false}
			for _, col := range c.Columns {
				head = append(head, col.Label+" ns/op", "× best peer")
				right = append(right, true, true)
			}
			head = append(head, "allocs/op")
			right = append(right, true)
			var rows [][]string
			for _, r := range c.Rows {
				if r.Skip != "" {
					rows = append(rows, skippedRow(r.Impl, r.Skip, len(head)))
					continue
				}
				row := []string{r.Impl}
				for _, cl := range r.Cells {
					switch {
					case cl == nil:
						row = append(row, "—", "")
					case cl.Err != "" && len(cl.Samples) == 0:
						row = append(row, "failed: "+cl.Err, "")
					default:
						row = append(row, fmt.Sprintf("%s (%s–%s)", fmtNs(cl.Median), fmtNs(cl.Min), fmtNs(cl.Max)), fmtRatio(cl.Ratio))
					}
				}
				if r.AllocsOp != nil {
					row = append(row, fmtAllocs(*r.AllocsOp))
				} else {
					row = append(row, "")
				}
				rows = append(rows, row)
			}
			b.WriteString(table(head, right, rows))
		}
		if mj := s.Memory; mj != nil {
			fmt.Fprintf(&b, "\n### %s/Memory: bytes per %s\n\n", s.Name, mj.Unit)
			fmt.Fprintf(&b, "%d %ss made in a fresh process and each incremented by every CPU at once; "+
				"the growth of the resident set (Go heap and off-heap memory together) and of the live Go heap, per %s, "+
				"counting the pointer (or value) the program keeps to each. go test: Benchmark%sMemory\n\n", mj.N, mj.Unit, mj.Unit, exported(s.Name))
			var rows [][]string
			for _, r := range mj.Rows {
				switch {
				case r.Skip != "":
					rows = append(rows, skippedRow(r.Impl, r.Skip, 4))
				case len(r.Samples) == 0:
					rows = append(rows, []string{r.Impl, "failed: " + r.Err, "", ""})
				default:
					rows = append(rows, []string{r.Impl,
						fmt.Sprintf("%.1f (%.1f–%.1f)", r.RSS, r.RSSMin, r.RSSMax),
						fmtRatio(r.Ratio), fmt.Sprintf("%.1f", r.Heap)})
				}
			}
			b.WriteString(table([]string{"implementation", "resident B/" + mj.Unit, "× best peer", "Go heap B/" + mj.Unit},
				[]bool{false, true, true, true}, rows))
		}
		scalingMarkdown(&b, s)
	}
	return b.String()
}

// exported is name with its first letter in upper case.
func exported(name string) string {
	if name == "" {
		return ""
	}
	return strings.ToUpper(name[:1]) + name[1:]
}

// tablesOnly is the Markdown without the image links, for the terminal.
func tablesOnly(md string) string {
	var b strings.Builder
	for line := range strings.Lines(md) {
		if !strings.HasPrefix(line, "![") {
			b.WriteString(line)
		}
	}
	return b.String()
}

// table renders a Markdown table with its columns padded, so that it reads
// as well in a terminal. right marks the right-aligned columns.
func table(head []string, right []bool, rows [][]string) string {
	w := make([]int, len(head))
	for _, r := range append([][]string{head}, rows...) {
		for i, c := range r {
			w[i] = max(w[i], utf8.RuneCountInString(strings.ReplaceAll(c, "|", `\|`)), 3)
		}
	}
	var b strings.Builder
	line := func(r []string) {
		b.WriteString("|")
		for i := range head {
			c := ""
			if i < len(r) {
				c = strings.ReplaceAll(r[i], "|", `\|`)
			}
			pad := strings.Repeat(" ", w[i]-utf8.RuneCountInString(c))
			if right[i] {
				fmt.Fprintf(&b, " %s%s |", pad, c)
			} else {
				fmt.Fprintf(&b, " %s%s |", c, pad)
			}
		}
		b.WriteString("\n")
	}
	line(head)
	b.WriteString("|")
	for i := range head {
		if right[i] {
			fmt.Fprintf(&b, " %s: |", strings.Repeat("-", w[i]-1))
		} else {
			fmt.Fprintf(&b, " %s |", strings.Repeat("-", w[i]))
		}
	}
	b.WriteString("\n")
	for _, r := range rows {
		line(r)
	}
	return b.String()
}

// skippedRow is a table row of width cells for an implementation that
// cannot run here, saying why.
func skippedRow(impl, why string, width int) []string {
	row := make([]string, width)
	row[0], row[1] = impl, "cannot run here: "+why
	return row
}
