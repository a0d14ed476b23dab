package cs_test

import (
	"os"
	"runtime"
	"strings"
	"testing"

	"github.com/gorseq/rseq/internal/cs"
)

// TestArm64Registration: on linux/arm64 a binary without cgo takes the
// Atomic backend and says why (its threads share TPIDR_EL0: no per-thread
// anchor), and a cgo binary that gets the RSEQ backend runs on glibc's
// registration.
func TestArm64Registration(t *testing.T) {
	if runtime.GOOS != "linux" || runtime.GOARCH != "arm64" || cs.Purego || os.Getenv(cs.Env) != "" {
		t.Skip("needs linux/arm64 with the asm and no override")
	}
	d := cs.Describe()
	t.Logf("cgo %v: %+v", cgoLinked, d)
	if !cgoLinked {
		if d.RSEQ || !strings.Contains(d.Reason, "TPIDR_EL0") {
			t.Fatalf("pure-Go arm64 binary: RSEQ %v, reason %q; want the Atomic backend with the anchor reason", d.RSEQ, d.Reason)
		}
		return
	}
	if !d.RSEQ {
		t.Skipf("this cgo binary runs the Atomic backend: %s", d.Reason)
	}
	if d.Registration != "libc" {
		t.Fatalf("cgo arm64 binary on the RSEQ backend with registration %q, want libc", d.Registration)
	}
}
