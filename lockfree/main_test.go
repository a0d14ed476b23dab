package lockfree_test

import (
	"fmt"
	"os"
	"testing"

	"github.com/gorseq/rseq/internal/torture"
)

func TestMain(m *testing.M) {
	fmt.Fprintln(os.Stderr, "lockfree tests:", torture.Shape())
	os.Exit(m.Run())
}
