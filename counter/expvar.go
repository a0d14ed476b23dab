package counter

import (
	"math"
	"strconv"
)

// The metrics implement expvar.Var: String returns JSON, so that
// expvar.Publish(name, m) needs no glue. Non-finite float values, which
// JSON numbers cannot spell, are written as the strings "NaN", "+Inf" and
// "-Inf".

// String returns c's value (Load) as a JSON number.
func (c *Counter) String() string { return strconv.FormatInt(c.Load(), 10) }

// String returns f's value (Load) as a JSON number.
func (f *Float) String() string { return string(appendJSONFloat(nil, f.Load())) }

// String returns a's values (Load of each) as a JSON array of numbers.
func (a *Array) String() string {
	b := []byte{'['}
	for i := range a.n {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendInt(b, a.Load(i), 10)
	}
	return string(append(b, ']'))
}

// String returns a Snapshot of h as a JSON object:
// {"bounds":[...],"counts":[...],"count":n,"sum":x,"nan":n}, counts per
// bucket (not cumulative), the last one the +Inf bucket's.
func (h *Histogram) String() string {
	s := h.Snapshot()
	b := append([]byte(nil), `{"bounds":[`...)
	for i, v := range s.Bounds {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendJSONFloat(b, v)
	}
	b = append(b, `],"counts":[`...)
	for i, c := range s.Counts {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendUint(b, c, 10)
	}
	b = append(b, `],"count":`...)
	b = strconv.AppendUint(b, s.Count, 10)
	b = append(b, `,"sum":`...)
	b = appendJSONFloat(b, s.Sum)
	b = append(b, `,"nan":`...)
	b = strconv.AppendUint(b, s.NaN, 10)
	return string(append(b, '}'))
}

func appendJSONFloat(b []byte, v float64) []byte {
	switch {
	case math.IsNaN(v):
		return append(b, `"NaN"`...)
	case math.IsInf(v, 1):
		return append(b, `"+Inf"`...)
	case math.IsInf(v, -1):
		return append(b, `"-Inf"`...)
	}
	return strconv.AppendFloat(b, v, 'g', -1, 64)
}
