//go:build rseqdelay

package counter_test

// delayBuild: internal/cs widens every critical section with a spin (the
// rseqdelay build tag); an Add then costs about ten microseconds, and tests
// that count in operations rather than time run fewer.
const delayBuild = true
