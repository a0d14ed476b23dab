//go:build purego

package rseq_test

const purego = true
