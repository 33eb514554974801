package workload

import (
	"testing"

	"github.com/sabre-mm/sabre/history"
	"github.com/sabre-mm/sabre/model"
)

// TestRandom: the random workloads record exactly their operations and the
// agents' start, begin, end and join events and the buffer's init; their
// histories are valid and convert; an all-atomic one shows no symptom.
func TestRandom(t *testing.T) {
	for _, c := range []struct {
		name string
		run  func() (*history.History, error)
		ops  int
		ags  int
		all  bool // only seq-cst accesses
	}{
		{"atomics", Random{Agents: 4, Locations: 8, Ops: 2001, Seed: 7}.Run, 2001, 4, true},
		{"mixed", Random{Agents: 3, Locations: 5, Ops: 1500, Plain: 0.4, Seed: 7}.Run, 1500, 3, false},
		{"Atomics8x1000", func() (*history.History, error) { return Atomics8x1000(3000) }, 3000, 8, true},
		{"AtomicsHot", func() (*history.History, error) { return AtomicsHot(2000) }, 2000, 8, true},
		{"Mixed4", func() (*history.History, error) { return Mixed4(2000) }, 2000, 4, false},
		{"no operations", Random{Agents: 2, Locations: 1}.Run, 0, 2, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			h, err := c.run()
			if err != nil {
				t.Fatal(err)
			}
			if want := c.ops + 4*c.ags + 1; len(h.Events) != want {
				t.Errorf("%d events, want %d (the operations, 4 per agent, the init)", len(h.Events), want)
			}
			plain := 0
			for _, e := range h.Events {
				if e.Kind.IsMemory() && e.Order == model.Unordered {
					plain++
				}
			}
			if c.all != (plain == 0) {
				t.Errorf("%d plain accesses", plain)
			}
			if c.all {
				checkClean(t, c.name, h)
			} else {
				if err := h.Validate(); err != nil {
					t.Fatal(err)
				}
				if _, err := history.Convert(h); err != nil {
					t.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkAtomics8x1000 records BenchmarkLinearizable100k's input:
// 100,000 operations of 8 agents over 1,000 locations.
func BenchmarkAtomics8x1000(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		h, err := Atomics8x1000(100_000)
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(len(h.Events)), "events/op")
	}
}
