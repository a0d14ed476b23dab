//go:build amd64 && !purego

package spin

// storeRelease stores v at p with release ordering: every load and store
// of the caller before the call is ordered before the store. On amd64 a
// plain MOV is one (x86-TSO orders a store after every earlier load and
// store); the compiler keeps the caller's accesses before it because it
// is a call it may not inline: it must assume the callee reads any memory
// the caller wrote. A Go function rather than assembly because an
// assembly call also spills its arguments to the stack and reloads the
// goroutine register after it, which costs as much as the store.
//
//go:noinline
func storeRelease(p *uint32, v uint32) { *p = v }
