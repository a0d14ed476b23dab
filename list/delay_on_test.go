//go:build rseqdelay

package list_test

// delayBuild: internal/cs widens every critical section with a spin (the
// rseqdelay build tag), so that faults land inside sections far more often;
// sections are then thousands of times slower, and stress tests run fewer
// operations.
const delayBuild = true
