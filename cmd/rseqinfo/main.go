// Command rseqinfo prints the backend this machine gives the rseq module's
// structures, and why.
package main

import (
	"fmt"

	"github.com/gorseq/rseq"
)

func main() {
	d := rseq.Detect()
	fmt.Println(d)
}
