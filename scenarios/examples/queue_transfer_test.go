package examples_test

import (
	"context"
	"testing"

	"github.com/sabre-mm/sabre/history"
	"github.com/sabre-mm/sabre/scenarios"
	"github.com/sabre-mm/sabre/scenarios/examples"
	"github.com/sabre-mm/sabre/shared"
)

// queueWant is what every Queue+transfer outcome reports.
var queueWant = map[string]int64{
	"sender:detached":   1,
	"sender:length":     0,
	"sender:type-error": 1,
	"receiver:length":   4,
	"receiver:bytes":    0x04030201,
	"receiver:shared":   4,
}

// TestQueueTransfer explores Queue+transfer exhaustively under each model:
// complete, no failure, and in every outcome the receiver sees the 4 bytes
// (and the shared m[0] written before the put) and the sender's buffer is
// detached, of length 0 and unreadable; each outcome's history holds the
// put, the get that took its item (one Sync token) and the sender's
// transfer.
func TestQueueTransfer(t *testing.T) {
	for _, v := range models {
		t.Run(v.Name(), func(t *testing.T) {
			rep := explore(t, examples.QueueTransfer(), scenarios.Options{Model: v})
			logReport(t, rep)
			mustComplete(t, rep)
			for _, o := range rep.Outcomes {
				if len(o.Values) != len(queueWant) {
					t.Errorf("outcome %s: %d reports, want %d", o.Key(), len(o.Values), len(queueWant))
				}
				for k, want := range queueWant {
					if got, ok := o.Values[k]; !ok || got != want {
						t.Errorf("outcome %s: %s = %#x (reported %v), want %#x", o.Key(), k, got, ok, want)
					}
				}
				var put, get, transfers int
				var putSync, getSync uint64
				for _, e := range o.History().Events {
					switch e.Kind {
					case history.EvQueuePut:
						put++
						putSync = e.Sync
					case history.EvQueueGet:
						get++
						getSync = e.Sync
					case history.EvTransfer:
						transfers++
					}
				}
				if put != 1 || get != 1 || transfers != 1 || putSync == 0 || putSync != getSync {
					t.Errorf("outcome %s: %d puts, %d gets (Sync %d, %d), %d transfers; want one of each, the put and the get with one Sync token", o.Key(), put, get, putSync, getSync, transfers)
				}
			}
		})
	}
}

// TestQueueTransferCheck shows the scenario's Check can fail.
func TestQueueTransferCheck(t *testing.T) {
	sc := examples.QueueTransfer()
	good := func() map[string]int64 {
		m := map[string]int64{}
		for k, v := range queueWant {
			m[k] = v
		}
		return m
	}
	if err := sc.Check(&scenarios.Outcome{Values: good()}); err != nil {
		t.Errorf("Check(the expected reports) = %v, want nil", err)
	}
	for k := range queueWant {
		bad := good()
		bad[k]++
		if err := sc.Check(&scenarios.Outcome{Values: bad}); err == nil {
			t.Errorf("Check with %s = %d: nil, want an error", k, bad[k])
		}
		delete(bad, k)
		if err := sc.Check(&scenarios.Outcome{Values: bad}); err == nil {
			t.Errorf("Check without %s: nil, want an error", k)
		}
	}
}

// TestQueueTransferControl is the control for TestQueueTransfer's
// "receiver:shared is always 4": with the sender's plain store of m[0]
// moved after its put, nothing orders it before the receiver's read, and
// the explorer does reach the stale 0 (and 4) — so it would have reached a
// stale read in Queue+transfer, had the model allowed one.
func TestQueueTransferControl(t *testing.T) {
	sc := &scenarios.Scenario{Name: "Queue+store-after-put", Setup: func(w *scenarios.World) error {
		q := w.Queue(1)
		m := w.Buffer("m", 4)
		w.Agent("sender", func(a *shared.Agent) error {
			if err := q.For(a).Put(context.Background(), int64(1)); err != nil {
				return err
			}
			v, err := shared.View(m.For(a), shared.Int32)
			if err != nil {
				return err
			}
			return v.SetInt(0, 4)
		})
		w.Agent("receiver", func(a *shared.Agent) error {
			if _, err := q.For(a).Get(context.Background()); err != nil {
				return err
			}
			v, err := shared.View(m.For(a), shared.Int32)
			if err != nil {
				return err
			}
			r, err := v.GetInt(0)
			w.Report(a, "shared", r)
			return err
		})
		return nil
	}}
	for _, v := range models {
		rep := explore(t, sc, scenarios.Options{Model: v})
		mustComplete(t, rep)
		seen := map[int64]bool{}
		for _, o := range rep.Outcomes {
			seen[o.Values["receiver:shared"]] = true
		}
		if len(seen) != 2 || !seen[0] || !seen[4] {
			logReport(t, rep)
			t.Errorf("%s: the receiver read %v, want both 0 and 4", v.Name(), seen)
		}
	}
}
