package benchmarks_test

import "testing"

// lockfree.Queue: run with -cpu 1,2. The producer-consumer cases start
// their goroutines themselves; -cpu sets the Ps they share.

func BenchmarkQueuePushPop(b *testing.B)         { runCase(b, "lockfree", "QueuePushPop", false) }
func BenchmarkQueuePushPopParallel(b *testing.B) { runCase(b, "lockfree", "QueuePushPop", true) }
func BenchmarkQueue1P1C(b *testing.B)            { runCase(b, "lockfree", "Queue1P1C", true) }
func BenchmarkQueue2P2C(b *testing.B)            { runCase(b, "lockfree", "Queue2P2C", true) }
