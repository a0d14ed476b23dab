//go:build !linux || !(amd64 || arm64) || !gc || purego

package cs

import "unsafe"

// PoolGet returns l.GetSlow(l): without the sections it does the whole
// job. See objpool_linux.go for the contract.
func PoolGet(l *PoolLayout) unsafe.Pointer { return l.GetSlow(l) }

// PoolPut calls l.PutSlow(l, x).
func PoolPut(l *PoolLayout, x unsafe.Pointer) { l.PutSlow(l, x) }

func rseqPoolGet(l *PoolLayout) (unsafe.Pointer, uint32) { return nil, uint32(stNoRSEQ) }

func rseqPoolPut(l *PoolLayout, x unsafe.Pointer) uint32 { return uint32(stNoRSEQ) }
