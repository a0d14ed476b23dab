//go:build !arm64

package cs_test

import (
	"testing"

	"github.com/gorseq/rseq/internal/cs"
)

// The section scanner on hand-made code: the arming store, the section,
// the post-commit RET, the signature.
func TestScanSection(t *testing.T) {
	arm := []byte{0x4c, 0x89, 0x40, 0x08}
	ret := []byte{0xc3}
	sig := []byte{0x0f, 0xb9, 0x3d, 0x53, 0x30, 0x05, 0x53}
	cat := func(parts ...[]byte) []byte {
		var b []byte
		for _, p := range parts {
			b = append(b, p...)
		}
		return b
	}
	pad := []byte{0x90, 0x90, 0x90}
	// The next function's section follows: only the first one counts.
	code := cat(pad, arm, pad, ret, sig, pad, arm, pad, ret, sig)
	sec, err := cs.ScanSection(code)
	if err != nil {
		t.Fatal(err)
	}
	if sec.Start != 3+4 || sec.Post != 3+4+3 || sec.Abort != 3+4+3+1+7 {
		t.Fatalf("section %+v", sec)
	}
	for name, bad := range map[string][]byte{
		"no arm":        cat(pad, ret, sig),
		"no ret":        cat(arm, pad, sig),
		"no signature":  cat(arm, pad, ret, pad),
		"two arms":      cat(arm, pad, arm, pad, ret, sig),
		"arm after ret": cat(pad, ret, sig, arm),
		"empty":         cat(arm, ret, sig),
		"bad signature": cat(arm, pad, ret, []byte{0x0f, 0xb9, 0x3d, 0x53, 0x30, 0x05, 0x54}),
	} {
		if _, err := cs.ScanSection(bad); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}
