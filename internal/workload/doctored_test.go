package workload

import (
	"slices"
	"testing"

	"github.com/sabre-mm/sabre/history"
	"github.com/sabre-mm/sabre/model"
)

// TestSymptomsFireOnDoctoredHistories shows, without the mutants, that
// each symptom can fire: a clean history of the case's workload, edited by
// hand into what the mutant would record, shows the symptom (and the
// unedited one does not).
func TestSymptomsFireOnDoctoredHistories(t *testing.T) {
	find := func(h *history.History, f func(e *history.Event) bool) []*history.Event {
		var out []*history.Event
		for i := range h.Events {
			if f(&h.Events[i]) {
				out = append(out, &h.Events[i])
			}
		}
		return out
	}
	op := func(name string) func(e *history.Event) bool {
		return func(e *history.Event) bool { return e.Op == name }
	}
	doctor := map[string]func(t *testing.T, h *history.History){
		// Two adds of one element read the same value.
		"subword-rmw": func(t *testing.T, h *history.History) {
			adds := find(h, func(e *history.Event) bool { return e.Op == "Atomics.add" && e.ByteIndex == 0 })
			adds[1].Read, adds[1].Written = adds[0].Read, adds[0].Written
		},
		// A load returns the low half of one pattern and the high half of the other.
		"store64-halves": func(t *testing.T, h *history.History) {
			var x uint64
			for _, s := range find(h, op("Atomics.store")) {
				if s.Written != x && x != 0 {
					find(h, op("Atomics.load"))[0].Read = x&0xffffffff | s.Written&^0xffffffff
					return
				}
				x = s.Written
			}
			t.Fatal("one pattern only")
		},
		// A load returns a failing compareExchange's replacement.
		"cas-writes-on-failure": func(t *testing.T, h *history.History) {
			f := find(h, func(e *history.Event) bool { return e.Kind == history.EvRead && e.ModifyOp == model.CompareExchange })
			find(h, op("Atomics.load"))[0].Read = f[0].Operand
		},
		// Two notifies' woken lists swapped.
		"notify-newest-first": func(t *testing.T, h *history.History) {
			n := find(h, func(e *history.Event) bool { return e.Kind == history.EvNotify && len(e.Woken) == 1 })
			n[0].Woken, n[1].Woken = n[1].Woken, n[0].Woken
		},
		// A woken wait reports a time-out.
		"notify-loses-wakeup": func(t *testing.T, h *history.History) {
			n := find(h, func(e *history.Event) bool { return e.Kind == history.EvNotify && len(e.Woken) == 1 })
			w := find(h, func(e *history.Event) bool { return e.Ref() == n[0].Woken[0] })
			w[0].Result, w[0].Sync = "timed-out", 0
		},
		// The writer's load after its second store returns its first store's value.
		"load-stale": func(t *testing.T, h *history.History) {
			stores := find(h, op("Atomics.store"))
			w := stores[1]
			after := find(h, func(e *history.Event) bool {
				return e.Op == "Atomics.load" && e.Agent == w.Agent && e.Seq == w.Seq+1
			})
			after[0].Read = stores[0].Written
		},
		// A get of an item is gone.
		"queue-drops-item": func(t *testing.T, h *history.History) {
			i := slices.IndexFunc(h.Events, func(e history.Event) bool {
				return e.Kind == history.EvQueueGet && e.Result == "ok"
			})
			h.Events = slices.Delete(h.Events, i, i+1)
		},
		// A second plain read of a data element returns the 0 the first one read.
		"plain-load-stale": func(t *testing.T, h *history.History) {
			reads := find(h, func(e *history.Event) bool { return e.Op == "Int32Array.get" && e.ByteIndex == 8 })
			if len(reads) != 2 || reads[0].Read != 0 || reads[1].Read != 3 {
				t.Fatalf("the reads of data[2]: %v", reads)
			}
			reads[1].Read = 0
		},
		// The flag stores are plain.
		"store-not-seqcst": func(t *testing.T, h *history.History) {
			for _, s := range find(h, op("Atomics.store")) {
				s.Order = model.Unordered
			}
		},
	}
	for _, c := range Cases() {
		t.Run(c.Name, func(t *testing.T) {
			h, err := c.Run(Config{})
			if err != nil {
				t.Fatal(err)
			}
			if msg, bad := c.Symptom(h); bad {
				t.Fatalf("the clean history shows the symptom: %s", msg)
			}
			edit := doctor[c.Name]
			if edit == nil {
				t.Fatal("no doctoring for this case")
			}
			edit(t, h)
			msg, bad := c.Symptom(h)
			if !bad {
				t.Fatal("the doctored history does not show the symptom")
			}
			t.Log(msg)
		})
	}
}
