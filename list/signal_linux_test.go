package list_test

import (
	"os"
	"strconv"

	"golang.org/x/sys/unix"
)

// signalThreads sends SIGURG, the signal the Go runtime preempts with and
// otherwise ignores, to every thread of the process, and returns how many
// it reached.
func signalThreads() int {
	ents, err := os.ReadDir("/proc/self/task")
	if err != nil {
		return 0
	}
	pid, n := unix.Getpid(), 0
	for _, e := range ents {
		if tid, err := strconv.Atoi(e.Name()); err == nil && unix.Tgkill(pid, tid, unix.SIGURG) == nil {
			n++
		}
	}
	return n
}
