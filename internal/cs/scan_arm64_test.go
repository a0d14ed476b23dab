package cs_test

import (
	"bytes"
	"testing"

	"github.com/gorseq/rseq/internal/cs"
)

// The section scanner on hand-made code, with this architecture's marks.
func TestScanSection(t *testing.T) {
	start, post, sig := cs.StartMarker, cs.PostMarker, cs.SigBytes
	cat := func(parts ...[]byte) []byte {
		var b []byte
		for _, p := range parts {
			b = append(b, p...)
		}
		return b
	}
	// pad: instruction-sized filler that is none of the marks.
	pad := bytes.Repeat([]byte{0xee}, 3*cs.InstrAlign)
	ret := bytes.Repeat([]byte{0xdd}, cs.InstrAlign)
	code := cat(pad, start, pad, post, ret, sig, pad)
	sec, err := cs.ScanSection(code)
	if err != nil {
		t.Fatal(err)
	}
	p, s := len(pad), len(start)
	if sec.Start != p || sec.Post != p+s+p || sec.Abort != p+s+p+len(post)+len(ret)+len(sig) {
		t.Fatalf("section %+v", sec)
	}
	if cs.InstrAlign > 1 {
		// A mark at an offset that is not an instruction boundary is data,
		// not a mark.
		if _, err := cs.ScanSection(cat(pad, []byte{0xee}, start, pad, post, sig)); err == nil {
			t.Error("misaligned start marker accepted")
		}
	}
	for name, bad := range map[string][]byte{
		"no start":     cat(pad, post, sig),
		"no post":      cat(start, pad, sig),
		"no signature": cat(start, post, pad),
		"two starts":   cat(start, start, post, sig),
		"post first":   cat(post, start, sig),
	} {
		if _, err := cs.ScanSection(bad); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}
