package spin_test

import (
	"fmt"
	"os"
	"testing"

	"github.com/gorseq/rseq/internal/torture"
)

// TestMain says which machine shape ran (and links internal/torture, so
// that the test binary takes -torture.d like every other package's: one
// soak command serves them all).
func TestMain(m *testing.M) {
	fmt.Fprintln(os.Stderr, "internal/spin tests:", torture.Shape())
	os.Exit(m.Run())
}
