package counter

import (
	"unsafe"

	"github.com/gorseq/rseq/internal/torture"
)

// Export guts for testing.

const BlockLen = blockLen

func CounterLayout() torture.Layout {
	var c Counter
	return torture.Layout{Size: unsafe.Sizeof(c), Offsets: map[string]uintptr{"p": unsafe.Offsetof(c.p)}}
}

func BlockSize() uintptr { return unsafe.Sizeof(block[Counter]{}) }

// Bucket searches, for the test and benchmark that compare them: the
// binary search Observe uses above maxLinear bounds, and the linear scans
// it was measured against (the asm's, in cs.AddPairAt, counts every bound
// as BucketLinear does; BucketScan stops at the first bound >= v, as
// client_golang's does).
func (h *Histogram) Bucket(v float64) int { return int(h.bucket(v)) }

func (h *Histogram) BucketLinear(v float64) int {
	n := 0
	for _, b := range h.bounds {
		if b < v {
			n++
		}
	}
	return n
}

func (h *Histogram) BucketScan(v float64) int {
	i := 0
	for i < len(h.bounds) && h.bounds[i] < v {
		i++
	}
	return i
}

// ForceBinarySearch makes Observe search h's bounds with the binary search
// whatever their number.
func (h *Histogram) ForceBinarySearch() { h.n = 0 }

const MaxLinear = maxLinear
