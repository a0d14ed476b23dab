package torture

import (
	"fmt"
	"os"
	"strconv"

	"golang.org/x/sys/unix"
)

// threads returns the ids of the process's threads.
func threads() []int {
	ents, err := os.ReadDir("/proc/self/task")
	if err != nil {
		return nil
	}
	tids := make([]int, 0, len(ents))
	for _, e := range ents {
		if tid, err := strconv.Atoi(e.Name()); err == nil {
			tids = append(tids, tid)
		}
	}
	return tids
}

// signalThreads sends SIGURG (the Go runtime's preemption signal, harmless
// to every thread) to each thread: a thread inside a critical section is
// interrupted, and the kernel restarts the section.
func signalThreads() uint64 {
	pid := unix.Getpid()
	var n uint64
	for _, tid := range threads() {
		if unix.Tgkill(pid, tid, unix.SIGURG) == nil {
			n++
		}
	}
	return n
}

var allowed unix.CPUSet

// saveAffinity records the process's CPU set and returns a function that
// gives it back to every thread.
func saveAffinity() func() {
	if err := unix.SchedGetaffinity(0, &allowed); err != nil {
		return nil
	}
	return func() {
		for _, tid := range threads() {
			_ = unix.SchedSetaffinity(tid, &allowed)
		}
	}
}

var migrations uint64

// migrateThreads pins every thread to one allowed CPU, rotating the choice,
// or frees it again, in turns: threads move between CPUs, mid-section for
// some.
func migrateThreads() uint64 {
	migrations++
	var cpus []int
	for c := range 1024 {
		if allowed.IsSet(c) {
			cpus = append(cpus, c)
		}
	}
	if len(cpus) < 2 {
		return 0
	}
	var n uint64
	for i, tid := range threads() {
		var set unix.CPUSet
		if migrations%2 == 0 {
			set = allowed
		} else {
			set.Set(cpus[(i+int(migrations/2))%len(cpus)])
		}
		if unix.SchedSetaffinity(tid, &set) == nil {
			n++
		}
	}
	return n
}

// AllowedCPUs returns the CPUs the calling thread may run on, in order, or
// nil if the kernel does not say (elsewhere than Linux: 0 to NumCPU-1).
func AllowedCPUs() []int {
	var set unix.CPUSet
	if err := unix.SchedGetaffinity(0, &set); err != nil {
		return nil
	}
	var cpus []int
	for c := range 1024 {
		if set.IsSet(c) {
			cpus = append(cpus, c)
		}
	}
	return cpus
}

// Pin restricts the calling thread to one CPU, so that a test can put two
// threads on the same CPU, or a thread on a given CPU, without waiting for
// the scheduler to do it. The caller must have locked its goroutine to the
// thread (runtime.LockOSThread) and keep it locked until it calls unpin,
// which gives the thread its previous CPU set back. The kernel moves the
// thread before Pin returns.
func Pin(cpu int) (unpin func(), err error) {
	var old, set unix.CPUSet
	if err := unix.SchedGetaffinity(0, &old); err != nil {
		return nil, fmt.Errorf("torture: sched_getaffinity: %w", err)
	}
	if cpu < 0 || cpu >= 1024 {
		return nil, fmt.Errorf("torture: cpu %d out of range [0, 1024)", cpu)
	}
	set.Set(cpu)
	if err := unix.SchedSetaffinity(0, &set); err != nil {
		return nil, fmt.Errorf("torture: pinning to cpu %d: %w", cpu, err)
	}
	return func() { _ = unix.SchedSetaffinity(0, &old) }, nil
}

// kernelRelease returns the running kernel's release (uname -r).
func kernelRelease() string {
	var u unix.Utsname
	if err := unix.Uname(&u); err != nil {
		return "?"
	}
	return unix.ByteSliceToString(u.Release[:])
}
