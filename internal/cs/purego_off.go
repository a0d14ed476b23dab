//go:build !purego

package cs

const purego = false
