package counter_test

import (
	"strings"
	"sync"
	"testing"

	"github.com/gorseq/rseq/counter"
)

func TestFloat(t *testing.T) {
	f := counter.NewFloat()
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for range 1000 {
				f.Add(0.25)
			}
		})
	}
	wg.Wait()
	f.Add(-0.5)
	if got := f.Load(); got != 999.5 {
		t.Errorf("Load = %v, want 999.5", got)
	}
	if got := f.Reset(); got != 999.5 {
		t.Errorf("Reset = %v, want 999.5", got)
	}
	if got := f.Load(); got != 0 {
		t.Errorf("Load after Reset = %v", got)
	}
	// Floats are handed out in blocks: many are independent.
	fs := make([]*counter.Float, 3*counter.BlockLen)
	for i := range fs {
		fs[i] = counter.NewFloat()
		fs[i].Add(float64(i))
	}
	for i, g := range fs {
		if g.Load() != float64(i) {
			t.Fatalf("float %d holds %v", i, g.Load())
		}
	}
}

func TestFloatZero(t *testing.T) {
	var f counter.Float
	defer func() {
		if s, _ := recover().(string); !strings.Contains(s, "zero Float") {
			t.Errorf("Add on a zero Float: panic %q", s)
		}
	}()
	f.Add(1)
}

func nan() float64 { var z float64; return z / z }
