package ringbuf_test

import (
	"fmt"
	"os"
	"testing"

	"go.uber.org/goleak"

	"github.com/gorseq/rseq/internal/cs"
)

func TestMain(m *testing.M) {
	fmt.Fprintf(os.Stderr, "ringbuf tests: %+v\n", cs.Describe())
	goleak.VerifyTestMain(m)
}
