package rseq_test

import (
	"fmt"

	"github.com/gorseq/rseq"
)

// Print why the process runs on the backend it runs on.
func ExampleDetect() {
	d := rseq.Detect()
	if d.Backend == rseq.Atomic {
		fmt.Println("atomic fallback:", d.Reason)
		return
	}
	fmt.Printf("rseq, slots indexed by %s, %d slots\n", d.Index, d.Slots)
}
