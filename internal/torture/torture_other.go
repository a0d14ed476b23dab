//go:build !linux

package torture

// Signals and migrations are Linux injectors; elsewhere they do nothing.

func signalThreads() uint64 { return 0 }

func saveAffinity() func() { return nil }

func migrateThreads() uint64 { return 0 }
