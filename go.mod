module github.com/gorseq/rseq

go 1.26.0

require (
	github.com/cespare/xxhash/v2 v2.3.0
	go.uber.org/goleak v1.3.0
	golang.org/x/sys v0.50.0
)
