// Package rseq reports how this process runs the per-CPU structures of the
// module: on Linux restartable sequences (the RSEQ backend) or on atomic
// instructions (the Atomic backend), and why.
//
// The structures themselves live in the sub-packages counter, ringbuf, list
// and lockfree. Detection runs once, at start-up; hot paths only branch on
// the read-only result.
//
// Set GORSEQ=atomic in the environment to force the Atomic backend, or
// GORSEQ=cpu_id to index per-CPU slots by CPU number rather than by the
// kernel's per-process concurrency id (mm_cid).
package rseq
