package counter_test

import (
	"fmt"
	"os"
	"testing"

	"go.uber.org/goleak"

	"github.com/gorseq/rseq/internal/torture"
)

func TestMain(m *testing.M) {
	fmt.Fprintln(os.Stderr, "counter tests:", torture.Shape())
	goleak.VerifyTestMain(m)
}
