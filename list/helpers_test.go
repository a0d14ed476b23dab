package list_test

import (
	"errors"
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/gorseq/rseq/list"
)

// disturb is called by stress loops on every operation: it yields every
// 61st operation and sleeps a little every 1009th, shifting the goroutines'
// interleavings as the selftest's -y and -s options do.
func disturb(i int) {
	switch {
	case i%1009 == 1008:
		time.Sleep(time.Duration(i%7) * time.Microsecond)
	case i%61 == 60:
		runtime.Gosched()
	}
}

// testBadCapacity checks that constructor fn (named name) rejects each
// capacity out of range with no value and an error that wraps ErrCapacity
// and reads "list: name: capacity c out of range [1, MaxCapacity]".
func testBadCapacity[T any](t *testing.T, name string, fn func(int) (*T, error)) {
	t.Helper()
	for _, c := range []int{-1, 0, list.MaxCapacity + 1} {
		v, err := fn(c)
		if v != nil || !errors.Is(err, list.ErrCapacity) {
			t.Fatalf("%s(%d) = %v, %v; want nil and ErrCapacity", name, c, v, err)
		}
		want := "list: " + name + ": capacity " + strconv.Itoa(c) + " out of range [1, " + strconv.Itoa(list.MaxCapacity) + "]"
		if err.Error() != want {
			t.Errorf("%s(%d) error %q, want %q", name, c, err, want)
		}
	}
}
