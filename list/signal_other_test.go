//go:build !unix

package list_test

// signalThreads has no signal to send here.
func signalThreads() int { return 0 }
