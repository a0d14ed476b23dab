package ringbuf_test

import (
	"fmt"
	"os"
	"testing"

	"go.uber.org/goleak"

	"github.com/gorseq/rseq/internal/torture"
	"github.com/gorseq/rseq/ringbuf"
)

func TestMain(m *testing.M) {
	fmt.Fprintln(os.Stderr, "ringbuf tests:", torture.Shape())
	goleak.VerifyTestMain(m)
}

// newRing returns a new Ring, failing the test if New fails.
func newRing[T any](tb testing.TB, perCPU int) *ringbuf.Ring[T] {
	tb.Helper()
	r, err := ringbuf.New[T](perCPU)
	if err != nil {
		tb.Fatal(err)
	}
	return r
}

// newRecords returns new Records, failing the test if NewRecords fails.
func newRecords(tb testing.TB, bytesPerCPU int, opts ...ringbuf.Option) *ringbuf.Records {
	tb.Helper()
	r, err := ringbuf.NewRecords(bytesPerCPU, opts...)
	if err != nil {
		tb.Fatal(err)
	}
	return r
}
