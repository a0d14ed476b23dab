package argerr_test

import (
	"errors"
	"testing"

	"github.com/gorseq/rseq/internal/argerr"
)

func TestRange(t *testing.T) {
	errX := errors.New("pkg: x out of range")
	err := argerr.Range(errX, "pkg: New", "size", -3, 1, 1<<24)
	if want := "pkg: New: size -3 out of range [1, 16777216]"; err.Error() != want {
		t.Errorf("Error() = %q, want %q", err, want)
	}
	if !errors.Is(err, errX) {
		t.Errorf("%v does not wrap its sentinel", err)
	}
	if errors.Is(err, errors.New("pkg: x out of range")) {
		t.Errorf("%v wraps another error with the same text", err)
	}
}
