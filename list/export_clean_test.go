package list

// Cleans returns how many passes l's cleaner has made (see
// percpu_clean.go).
func (l *PerCPU[T]) Cleans() uint64 { return l.cleans.Load() }

// HasCleaner reports whether Pop leaves stale values in free nodes, which
// the cleaner clears.
func (l *PerCPU[T]) HasCleaner() bool { return l.stale }

// Clean runs one pass of l's cleaner now, if l has one.
func (l *PerCPU[T]) Clean() {
	if l.stale {
		l.clean()
	}
}
