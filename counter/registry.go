package counter

import (
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/gorseq/rseq/internal/cs"
)

// A Metric is what a Registry exposes: a *Counter, *Float, *Array or
// *Histogram. The interface has an unexported method, so other types
// cannot implement it.
type Metric interface {
	promType() string
}

func (*Counter) promType() string   { return "counter" }
func (*Float) promType() string     { return "counter" }
func (*Array) promType() string     { return "counter" }
func (*Histogram) promType() string { return "histogram" }

// ErrRegister is wrapped by every error Register returns.
var ErrRegister = errors.New("counter: cannot register metric")

// A Registry exposes metrics to monitoring systems: WritePrometheus writes
// them in Prometheus' text format. Its methods may be called concurrently.
// The zero Registry is not usable; create registries with NewRegistry.
type Registry struct {
	mu   sync.Mutex
	fams map[string]*family // by metric family name
	list []*family          // sorted by name; nil when it must be rebuilt

	// wmu serialises WritePrometheus calls, which share these buffers.
	wmu   sync.Mutex
	buf   []byte
	hists []histRead
	cnts  []uint64
}

// NewRegistry returns an empty Registry.
func NewRegistry() *Registry { return &Registry{fams: map[string]*family{}} }

// A family is the series that share a metric name (HELP and TYPE once).
type family struct {
	name, help, typ string
	series          []*series // sorted by key
}

// A series is one registered metric: a name with constant labels, and for
// an *Array the label that carries the index.
type series struct {
	key    string  // canonical name{labels}, the index label with an empty value
	labels []label // constant labels, sorted by name
	index  string  // the index label of an *Array; "" otherwise
	m      Metric

	// Text precomputed at registration: each sample line is pre + value,
	// or for an Array pre + index + post + value; for a Histogram the
	// bucket lines are le[i] + count, then sum and count.
	pre, post      string
	le             []string
	sumPre, cntPre string
}

type label struct{ name, value string }

// Register adds m to r under name, with help as its HELP text.
//
// name is a Prometheus metric name ([a-zA-Z_:][a-zA-Z0-9_:]*), optionally
// followed by constant labels in braces, values in double quotes with
// Prometheus' escapes (\\, \", \n): `http_requests_total{code="200",method="GET"}`.
// Label names are [a-zA-Z_][a-zA-Z0-9_]* and must not start with "__"; a
// histogram cannot have an "le" label. An *Array registers one series per
// index: exactly one of its labels must have an empty value, and that
// label carries the index, as in `requests_total{shard=""}` (series
// shard="0", shard="1", ...). Other metrics cannot have empty label values.
//
// Metrics registered under one name form a family: they must have the
// same type (counters, including Float and Array, or histograms) and the
// same help. Register fails, with an error wrapping ErrRegister that names
// the problem, for a malformed name or label, a series that another
// registration already produces, a family of another type or help, a
// histogram whose _bucket, _sum or _count series would collide with
// another family, or a nil or zero metric. One metric may be registered
// under several names.
func (r *Registry) Register(name, help string, m Metric) error {
	if err := checkMetric(m); err != nil {
		return fmt.Errorf("%w %q: %v", ErrRegister, name, err)
	}
	fam, labels, err := parseName(name)
	if err != nil {
		return fmt.Errorf("%w %q: %v", ErrRegister, name, err)
	}
	s := &series{labels: labels, m: m}
	_, isArray := m.(*Array)
	_, isHist := m.(*Histogram)
	for i := 0; i < len(s.labels); i++ {
		l := s.labels[i]
		if isHist && l.name == "le" {
			return fmt.Errorf("%w %q: label \"le\" is reserved for a histogram's bucket bounds", ErrRegister, name)
		}
		if l.value != "" {
			continue
		}
		if !isArray {
			return fmt.Errorf("%w %q: label %q has an empty value (only an *Array takes one, for its index)", ErrRegister, name, l.name)
		}
		if s.index != "" {
			return fmt.Errorf("%w %q: labels %q and %q both have an empty value; an *Array takes exactly one index label", ErrRegister, name, s.index, l.name)
		}
		s.index = l.name
		s.labels = slices.Delete(s.labels, i, i+1)
		i--
	}
	if isArray && s.index == "" {
		return fmt.Errorf("%w %q: an *Array needs an index label with an empty value, as in %s{index=\"\"}", ErrRegister, name, fam)
	}
	s.key = seriesKey(fam, s.labels, s.index)
	typ := m.promType()

	r.mu.Lock()
	defer r.mu.Unlock()
	f := r.fams[fam]
	if f != nil {
		if f.typ != typ {
			return fmt.Errorf("%w %q: family %s holds %ss; a %s cannot join it", ErrRegister, name, fam, f.typ, typ)
		}
		if f.help != help {
			return fmt.Errorf("%w %q: family %s has help %q, not %q", ErrRegister, name, fam, f.help, help)
		}
		for _, o := range f.series {
			if collide(s, o) {
				if o.key == s.key {
					return fmt.Errorf("%w %q: already registered", ErrRegister, name)
				}
				return fmt.Errorf("%w %q: its series overlap those of %q", ErrRegister, name, o.key)
			}
		}
	} else {
		// A histogram's series are name_bucket, name_sum and name_count:
		// no other family may be called that.
		for _, suf := range []string{"_bucket", "_sum", "_count"} {
			if typ == "histogram" && r.fams[fam+suf] != nil {
				return fmt.Errorf("%w %q: a histogram's series %s%s would collide with family %s%s", ErrRegister, name, fam, suf, fam, suf)
			}
			if base, ok := strings.CutSuffix(fam, suf); ok {
				if h := r.fams[base]; h != nil && h.typ == "histogram" {
					return fmt.Errorf("%w %q: name collides with the %s series of histogram %s", ErrRegister, name, suf, base)
				}
			}
		}
		f = &family{name: fam, help: help, typ: typ}
		r.fams[fam] = f
		r.list = nil
	}
	s.render(fam)
	i, _ := slices.BinarySearchFunc(f.series, s.key, func(o *series, k string) int { return strings.Compare(o.key, k) })
	f.series = slices.Insert(f.series, i, s)
	return nil
}

// Unregister removes the metric registered under name (spelled as given
// to Register, labels in any order) and reports whether there was one.
func (r *Registry) Unregister(name string) bool {
	fam, labels, err := parseName(name)
	if err != nil {
		return false
	}
	key := seriesKey(fam, labels, "")
	r.mu.Lock()
	defer r.mu.Unlock()
	f := r.fams[fam]
	if f == nil {
		return false
	}
	for i, s := range f.series {
		if s.key == key {
			f.series = slices.Delete(f.series, i, i+1)
			if len(f.series) == 0 {
				delete(r.fams, fam)
				r.list = nil
			}
			return true
		}
	}
	return false
}

func checkMetric(m Metric) error {
	switch m := m.(type) {
	case nil:
		return errors.New("nil metric")
	case *Counter:
		if m == nil || m.p == nil {
			return errors.New("nil or zero *Counter (create counters with New)")
		}
	case *Float:
		if m == nil || m.p == nil {
			return errors.New("nil or zero *Float (create Floats with NewFloat)")
		}
	case *Array:
		if m == nil || m.base == nil {
			return errors.New("nil or zero *Array (create arrays with NewArray)")
		}
	case *Histogram:
		if m == nil || m.tbl == nil {
			return errors.New("nil or zero *Histogram (create histograms with NewHistogram)")
		}
	}
	return nil
}

// collide reports whether two registrations of one family would produce a
// common series: the same label names, equal constant values, and index
// labels whose ranges hold the other's constant value.
func collide(a, b *series) bool {
	if len(a.labels)+btoi(a.index != "") != len(b.labels)+btoi(b.index != "") {
		return false
	}
	// Every label of a must be in b, with a compatible value.
	for _, l := range a.labels {
		v, idx, ok := b.lookup(l.name)
		switch {
		case !ok:
			return false
		case idx:
			if !inRange(l.value, b.m.(*Array).n) {
				return false
			}
		case v != l.value:
			return false
		}
	}
	if a.index != "" {
		v, idx, ok := b.lookup(a.index)
		if !ok || (!idx && !inRange(v, a.m.(*Array).n)) {
			return false
		}
	}
	return true
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

func (s *series) lookup(name string) (value string, isIndex, ok bool) {
	if name == s.index {
		return "", true, true
	}
	for _, l := range s.labels {
		if l.name == name {
			return l.value, false, true
		}
	}
	return "", false, false
}

// inRange reports whether v is how an Array of length n spells an index.
func inRange(v string, n int) bool {
	i, err := strconv.Atoi(v)
	return err == nil && i >= 0 && i < n && strconv.Itoa(i) == v
}

// seriesKey is the canonical spelling of a registration: labels sorted by
// name, the index label (if any) with an empty value among them.
func seriesKey(fam string, labels []label, index string) string {
	all := labels
	if index != "" {
		all = append(slices.Clone(labels), label{index, ""})
		sortLabels(all)
	}
	if len(all) == 0 {
		return fam
	}
	b := []byte(fam)
	b = append(b, '{')
	for i, l := range all {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendLabel(b, l.name, l.value)
	}
	return string(append(b, '}'))
}

func sortLabels(l []label) {
	slices.SortFunc(l, func(a, b label) int { return strings.Compare(a.name, b.name) })
}

// parseName splits a metric name with optional constant labels, checking
// both; the labels come back sorted by name.
func parseName(s string) (string, []label, error) {
	name, rest, hasLabels := strings.Cut(s, "{")
	if !validMetricName(name) {
		return "", nil, fmt.Errorf("bad metric name %q (want [a-zA-Z_:][a-zA-Z0-9_:]*)", name)
	}
	if !hasLabels {
		return name, nil, nil
	}
	var labels []label
	for {
		if rest == "" {
			return "", nil, errors.New("missing closing '}'")
		}
		if rest[0] == '}' {
			if len(rest) > 1 {
				return "", nil, fmt.Errorf("unexpected %q after the labels", rest[1:])
			}
			break
		}
		if len(labels) > 0 {
			if rest[0] != ',' {
				return "", nil, fmt.Errorf("want ',' or '}' after label %q, found %q", labels[len(labels)-1].name, rest)
			}
			rest = rest[1:]
			if strings.HasPrefix(rest, "}") { // a trailing comma
				continue
			}
		}
		lname, after, ok := strings.Cut(rest, "=")
		if !ok {
			return "", nil, fmt.Errorf("label %q has no '=' and value", rest)
		}
		if !validLabelName(lname) {
			return "", nil, fmt.Errorf("bad label name %q (want [a-zA-Z_][a-zA-Z0-9_]*)", lname)
		}
		if strings.HasPrefix(lname, "__") {
			return "", nil, fmt.Errorf("label name %q is reserved (names starting with __ are Prometheus' own)", lname)
		}
		for _, l := range labels {
			if l.name == lname {
				return "", nil, fmt.Errorf("label %q appears twice", lname)
			}
		}
		value, tail, err := parseQuoted(after)
		if err != nil {
			return "", nil, fmt.Errorf("label %q: %v", lname, err)
		}
		labels = append(labels, label{lname, value})
		rest = tail
	}
	sortLabels(labels)
	return name, labels, nil
}

// parseQuoted reads a double-quoted label value with the escapes \\, \"
// and \n, and returns it and what follows.
func parseQuoted(s string) (string, string, error) {
	if s == "" || s[0] != '"' {
		return "", "", errors.New("value must be in double quotes")
	}
	var b strings.Builder
	for i := 1; i < len(s); i++ {
		switch c := s[i]; c {
		case '"':
			return b.String(), s[i+1:], nil
		case '\\':
			i++
			if i == len(s) {
				return "", "", errors.New("unterminated value")
			}
			switch s[i] {
			case '\\':
				b.WriteByte('\\')
			case '"':
				b.WriteByte('"')
			case 'n':
				b.WriteByte('\n')
			default:
				return "", "", fmt.Errorf("bad escape \\%c in value (known: \\\\, \\\", \\n)", s[i])
			}
		default:
			b.WriteByte(c)
		}
	}
	return "", "", errors.New("unterminated value (missing closing '\"')")
}

func validMetricName(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c == '_' || c == ':' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || i > 0 && '0' <= c && c <= '9') {
			return false
		}
	}
	return s != ""
}

func validLabelName(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c == '_' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || i > 0 && '0' <= c && c <= '9') {
			return false
		}
	}
	return s != ""
}

// appendLabel appends name="value" with the value escaped.
func appendLabel(b []byte, name, value string) []byte {
	b = append(b, name...)
	b = append(b, '=', '"')
	for i := 0; i < len(value); i++ {
		switch c := value[i]; c {
		case '\\':
			b = append(b, '\\', '\\')
		case '"':
			b = append(b, '\\', '"')
		case '\n':
			b = append(b, '\\', 'n')
		default:
			b = append(b, c)
		}
	}
	return append(b, '"')
}

// appendLabels appends {labels,extra="value"} (no braces when there is
// nothing to write); extra is skipped when "".
func appendLabels(b []byte, labels []label, extra, value string) []byte {
	if len(labels) == 0 && extra == "" {
		return b
	}
	b = append(b, '{')
	for i, l := range labels {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendLabel(b, l.name, l.value)
	}
	if extra != "" {
		if len(labels) > 0 {
			b = append(b, ',')
		}
		b = appendLabel(b, extra, value)
	}
	return append(b, '}')
}

// render precomputes s's sample line prefixes.
func (s *series) render(fam string) {
	switch m := s.m.(type) {
	case *Array:
		// The index label in its sorted place among the constant ones.
		var b []byte
		b = append(b, fam...)
		b = append(b, '{')
		at := 0
		for at < len(s.labels) && s.labels[at].name < s.index {
			at++
		}
		for i, l := range s.labels[:at] {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendLabel(b, l.name, l.value)
		}
		if at > 0 {
			b = append(b, ',')
		}
		b = append(b, s.index...)
		b = append(b, '=', '"')
		s.pre = string(b)
		b = append(b[:0], '"')
		for _, l := range s.labels[at:] {
			b = append(b, ',')
			b = appendLabel(b, l.name, l.value)
		}
		s.post = string(append(b, '}', ' '))
	case *Histogram:
		s.le = make([]string, len(m.bounds)+1)
		for i := range s.le {
			le := "+Inf"
			if i < len(m.bounds) {
				le = string(appendFloat(nil, m.bounds[i]))
			}
			b := append([]byte(fam), "_bucket"...)
			b = appendLabels(b, s.labels, "le", le)
			s.le[i] = string(append(b, ' '))
		}
		s.sumPre = string(append(appendLabels(append([]byte(fam), "_sum"...), s.labels, "", ""), ' '))
		s.cntPre = string(append(appendLabels(append([]byte(fam), "_count"...), s.labels, "", ""), ' '))
	default:
		s.pre = string(append(appendLabels([]byte(fam), s.labels, "", ""), ' '))
	}
}

// appendFloat appends v as the text format writes floats.
func appendFloat(b []byte, v float64) []byte {
	switch {
	case math.IsInf(v, 1):
		return append(b, "+Inf"...)
	case math.IsInf(v, -1):
		return append(b, "-Inf"...)
	case math.IsNaN(v):
		return append(b, "NaN"...)
	}
	return strconv.AppendFloat(b, v, 'g', -1, 64)
}

// histRead is where WritePrometheus puts one histogram's values.
type histRead struct {
	h      *Histogram
	counts []uint64 // a window of Registry.cnts
	sum    float64
}

// stopBudget bounds the pairs read under one stop of every slot, so that
// a scrape of many histograms stalls Observes for a bounded time (a few
// microseconds) per stop rather than for the whole scrape.
const stopBudget = 4096

// WritePrometheus writes every registered metric to w in Prometheus' text
// exposition format, version 0.0.4: families sorted by name, each with its
// HELP (when not empty) and TYPE lines once, then its series; histograms
// as cumulative name_bucket{le="..."} lines ending with le="+Inf", then
// name_sum and name_count. NaN observations of a histogram are not
// exposed (the format has no place for them); its _count is the +Inf
// bucket's count.
//
// Counters and Floats are read with Load (no stop). Histograms are read
// as Snapshot reads them: each value is a whole snapshot, _count equal to
// the +Inf bucket, _sum including exactly the observations counted. In
// the RSEQ backend the histograms are read under as few stops of every
// slot as a bound of about 4096 pairs per stop allows (one for 100
// histograms of 30 buckets on 2 slots). The text is built in memory and
// written to w with one Write; the error is Write's.
func (r *Registry) WritePrometheus(w io.Writer) error {
	r.wmu.Lock()
	defer r.wmu.Unlock()
	r.mu.Lock()
	if r.list == nil {
		r.list = make([]*family, 0, len(r.fams))
		for _, f := range r.fams {
			r.list = append(r.list, f)
		}
		slices.SortFunc(r.list, func(a, b *family) int { return strings.Compare(a.name, b.name) })
	}
	r.readHistograms()
	b := r.buf[:0]
	hi := 0
	for _, f := range r.list {
		if f.help != "" {
			b = append(b, "# HELP "...)
			b = append(b, f.name...)
			b = append(b, ' ')
			b = appendHelp(b, f.help)
			b = append(b, '\n')
		}
		b = append(b, "# TYPE "...)
		b = append(b, f.name...)
		b = append(b, ' ')
		b = append(b, f.typ...)
		b = append(b, '\n')
		for _, s := range f.series {
			switch m := s.m.(type) {
			case *Counter:
				b = append(b, s.pre...)
				b = strconv.AppendInt(b, m.Load(), 10)
				b = append(b, '\n')
			case *Float:
				b = append(b, s.pre...)
				b = appendFloat(b, m.Load())
				b = append(b, '\n')
			case *Array:
				for i := range m.n {
					b = append(b, s.pre...)
					b = strconv.AppendInt(b, int64(i), 10)
					b = append(b, s.post...)
					b = strconv.AppendInt(b, m.Load(i), 10)
					b = append(b, '\n')
				}
			case *Histogram:
				hr := &r.hists[hi]
				hi++
				var cum uint64
				for i, c := range hr.counts {
					cum += c
					b = append(b, s.le[i]...)
					b = strconv.AppendUint(b, cum, 10)
					b = append(b, '\n')
				}
				b = append(b, s.sumPre...)
				b = appendFloat(b, hr.sum)
				b = append(b, '\n')
				b = append(b, s.cntPre...)
				b = strconv.AppendUint(b, cum, 10)
				b = append(b, '\n')
			}
		}
	}
	r.mu.Unlock()
	r.buf = b
	for i := range r.hists {
		r.hists[i].h = nil // keep no histogram alive between scrapes
	}
	_, err := w.Write(b)
	return err
}

// readHistograms reads every registered histogram into r.hists, in the
// order WritePrometheus visits them, under as few stops as stopBudget
// allows. r.mu and r.wmu must be held.
func (r *Registry) readHistograms() {
	r.hists = r.hists[:0]
	n := 0
	for _, f := range r.list {
		if f.typ != "histogram" {
			continue
		}
		for _, s := range f.series {
			h := s.m.(*Histogram)
			r.hists = append(r.hists, histRead{h: h})
			n += len(h.bounds) + 1
		}
	}
	if cap(r.cnts) < n {
		r.cnts = make([]uint64, n)
	}
	r.cnts = r.cnts[:n]
	clear(r.cnts)
	off := 0
	for i := range r.hists {
		nb := len(r.hists[i].h.bounds) + 1
		r.hists[i].counts = r.cnts[off : off+nb : off+nb]
		off += nb
	}
	for lo := 0; lo < len(r.hists); {
		hi, pairs := lo, 0
		for hi < len(r.hists) && (hi == lo || pairs+(len(r.hists[hi].h.bounds)+2)*nslots <= stopBudget) {
			pairs += (len(r.hists[hi].h.bounds) + 2) * nslots
			hi++
		}
		batch := r.hists[lo:hi]
		cs.ExclusiveAll(func() {
			for i := range batch {
				batch[i].sum, _ = batch[i].h.read(batch[i].counts, false)
			}
		})
		lo = hi
	}
}

// appendHelp appends a HELP text with \ and newline escaped.
func appendHelp(b []byte, help string) []byte {
	for i := 0; i < len(help); i++ {
		switch c := help[i]; c {
		case '\\':
			b = append(b, '\\', '\\')
		case '\n':
			b = append(b, '\\', 'n')
		default:
			b = append(b, c)
		}
	}
	return b
}
