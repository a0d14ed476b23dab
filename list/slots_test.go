package list_test

import (
	"sync"
	"testing"

	"github.com/gorseq/rseq/internal/cs"
	"github.com/gorseq/rseq/internal/torture"
	"github.com/gorseq/rseq/list"
)

// TestPerCPUStealsAcrossCPUs: steals between many CPUs at once, with one
// goroutine pinned to each CPU (with cpu_id slots, slot c is CPU c). First
// every value sits on one slot and every CPU takes from it; then the values
// sit on every slot and one CPU takes them all. Each time every value comes
// out exactly once, and Pop reports false only once the list is empty.
func TestPerCPUStealsAcrossCPUs(t *testing.T) {
	cpus := torture.AllowedCPUs()
	slots := cs.Slots()
	strict := cs.Enabled() && cs.Describe().Index == "cpu_id" && len(cpus) <= slots
	const per = 64
	n := per * slots
	l, err := list.NewPerCPU[int](n)
	if err != nil {
		t.Fatal(err)
	}
	fill := func(slotOf func(v int) int) {
		for v := range n {
			if !l.PushSlot(slotOf(v), v) {
				t.Fatalf("PushSlot(%d, %d) failed on a list of capacity %d", slotOf(v), v, n)
			}
		}
	}
	// check takes the values each goroutine popped: all n, once each.
	check := func(what string, got [][]int) {
		seen := make([]bool, n)
		total := 0
		for _, vs := range got {
			for _, v := range vs {
				if v < 0 || v >= n || seen[v] {
					t.Fatalf("%s: value %d popped twice or never pushed", what, v)
				}
				seen[v] = true
				total++
			}
		}
		if total != n {
			t.Fatalf("%s: popped %d values of %d", what, total, n)
		}
		if m := l.Len(); m != 0 {
			t.Fatalf("%s: Len = %d after every value was popped", what, m)
		}
	}
	drain := func() []int {
		var vs []int
		for {
			v, ok := l.Pop()
			if !ok {
				return vs
			}
			vs = append(vs, v)
		}
	}

	// Many thieves, one victim: slot 0 holds everything.
	fill(func(int) int { return 0 })
	before := l.Steals()
	got := make([][]int, len(cpus))
	var wg sync.WaitGroup
	for i, c := range cpus {
		wg.Go(func() { torture.OnCPU(c, func() { got[i] = drain() }) })
	}
	wg.Wait()
	check("one victim", got)
	thieves := 0
	for i, c := range cpus {
		if c != 0 && len(got[i]) > 0 {
			thieves++ // its slot was empty: its first Pop stole
		}
	}
	if steals := l.Steals() - before; strict && steals < uint64(thieves) {
		t.Errorf("one victim: %d steals, but %d CPUs other than 0 popped values", steals, thieves)
	}
	t.Logf("one victim, %d CPUs: %d steals, %d CPUs got values from slot 0", len(cpus), l.Steals()-before, thieves)

	// One thief, many victims: every slot holds per values.
	fill(func(v int) int { return v / per })
	before = l.Steals()
	var mine []int
	torture.OnCPU(cpus[0], func() { mine = drain() })
	check("many victims", [][]int{mine})
	if steals := l.Steals() - before; strict && steals < uint64(slots-1) {
		t.Errorf("many victims: %d steals emptied %d slots from cpu %d", steals, slots, cpus[0])
	}
	t.Logf("many victims, %d slots: %d steals by one CPU", slots, l.Steals()-before)
}
