//go:build gc && !purego

package cs

import "unsafe"

// poolGetSlow and poolPutSlow are where the arm64 PoolGet and PoolPut
// jump, their arguments untouched, for everything but the fast path.
func poolGetSlow(l *PoolLayout) unsafe.Pointer { return l.GetSlow(l) }

func poolPutSlow(l *PoolLayout, x unsafe.Pointer) { l.PutSlow(l, x) }
