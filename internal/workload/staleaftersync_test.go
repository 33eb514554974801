package workload

import (
	"testing"

	"github.com/sabre-mm/sabre/history"
	"github.com/sabre-mm/sabre/model"
)

// TestStaleAfterSyncNeedsHappensBefore: StaleMessage's history with a
// second read of data[2] doctored to the 0 the first one read shows the
// symptom, naming the read, the write and the synchronizes-with edge; the
// same stale read does not once nothing it is sure of orders the write
// before the read (the flag stores plain, or the flag loads reading a
// value two writes wrote), nor when the value read is one no write wrote,
// nor when a write of 0 that does not happen-before the data write could
// be its source.
func TestStaleAfterSyncNeedsHappensBefore(t *testing.T) {
	fresh := func() (*history.History, *history.Event) {
		t.Helper()
		h, err := StaleMessage(Config{Agents: 2, Iterations: 5})
		if err != nil {
			t.Fatal(err)
		}
		var second *history.Event
		for i := range h.Events {
			if e := &h.Events[i]; e.Op == "Int32Array.get" && e.ByteIndex == 8 && e.Read == 3 {
				second = e
			}
		}
		if second == nil {
			t.Fatal("no read of 3 from data[2]")
		}
		return h, second
	}
	h, second := fresh()
	if msg, bad := StaleAfterSync(h); bad {
		t.Fatalf("the clean history: %s", msg)
	}
	second.Read = 0
	msg, bad := StaleAfterSync(h)
	if !bad {
		t.Fatal("the stale read is not reported")
	}
	t.Log(msg)

	for name, edit := range map[string]func(h *history.History, second *history.Event){
		"flag stores plain": func(h *history.History, second *history.Event) {
			for i := range h.Events {
				if e := &h.Events[i]; e.Op == "Atomics.store" && e.ByteIndex == 20 {
					e.Order = model.Unordered
				}
			}
		},
		"flag value written twice": func(h *history.History, second *history.Event) {
			for i := range h.Events {
				if e := &h.Events[i]; e.Op == "Atomics.store" && e.ByteIndex == 20 {
					e.Written = 7 // every flag load of a nonzero value now has two candidate sources
				}
				if e := &h.Events[i]; e.Op == "Atomics.load" && e.ByteIndex == 20 && e.Read != 0 {
					e.Read = 7
				}
			}
		},
		"a value nobody wrote": func(h *history.History, second *history.Event) { second.Read = 77 },
		"an unordered write of 0": func(h *history.History, second *history.Event) {
			// The writer's plain write of data[3] goes to data[2], with 0:
			// it is after the write of 3 in agent-order, so the read may
			// take 0 from it.
			for i := range h.Events {
				if e := &h.Events[i]; e.Op == "Int32Array.set" && e.ByteIndex == 12 {
					e.ByteIndex, e.Written = 8, 0
				}
			}
		},
	} {
		h, second := fresh()
		second.Read = 0
		edit(h, second)
		if msg, bad := StaleAfterSync(h); bad {
			t.Errorf("%s: %s", name, msg)
		}
	}
}

// TestStaleAfterSyncOnRandomHistories: on histories of the real core with
// racing plain and seq-cst accesses (Random, Mixed4), the symptom, which
// must be exact, stays false.
func TestStaleAfterSyncOnRandomHistories(t *testing.T) {
	for seed := uint64(1); seed <= 4; seed++ {
		for _, r := range []Random{
			{Agents: 3, Locations: 5, Ops: 1500, Plain: 0.4, Seed: seed},
			{Agents: 4, Locations: 16, Ops: 2000, Plain: 0.5, Seed: seed},
			{Agents: 2, Locations: 1, Ops: 1000, Plain: 0.7, Seed: seed},
		} {
			h, err := r.Run()
			if err != nil {
				t.Fatal(err)
			}
			if msg, bad := StaleAfterSync(h); bad {
				t.Errorf("%+v: %s", r, msg)
			}
		}
	}
}
