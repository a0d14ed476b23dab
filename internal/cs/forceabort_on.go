//go:build rseqabort

package cs

// forcedAborts: the rseqabort test build, whose sections always abort.
const forcedAborts = true
