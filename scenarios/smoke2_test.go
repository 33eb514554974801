package scenarios_test

import (
	"context"
	"testing"
	"time"

	"github.com/sabre-mm/sabre/atomics"
	"github.com/sabre-mm/sabre/scenarios"
	"github.com/sabre-mm/sabre/shared"
)

func TestSmokeWaitNotify(t *testing.T) {
	sc := &scenarios.Scenario{Name: "MP+wait", Setup: func(w *scenarios.World) error {
		buf := w.Buffer("m", 8)
		w.Agent("P0", func(a *shared.Agent) error {
			v, _ := shared.View(buf.For(a), shared.Int32)
			v.SetInt(1, 42)
			atomics.Store(v, 0, 1)
			atomics.Notify(v, 0, 1)
			return nil
		})
		w.Agent("P1", func(a *shared.Agent) error {
			v, _ := shared.View(buf.For(a), shared.Int32)
			for {
				x, _ := atomics.Load(v, 0)
				if x == 1 {
					break
				}
				atomics.Wait(v, 0, 0, atomics.Forever)
			}
			r, _ := v.GetInt(1)
			w.Report(a, "data", r)
			return nil
		})
		return nil
	}}
	rep, err := scenarios.Run(context.Background(), sc, scenarios.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%+v complete=%v", rep.Stats, rep.Complete)
	for _, o := range rep.Outcomes {
		t.Logf("  %s   %s", o.Key(), o.Schedule)
	}
	for _, f := range rep.Failures {
		t.Logf("  FAIL %v", f)
	}
}

func TestSmokeQueueTimeout(t *testing.T) {
	sc := &scenarios.Scenario{Name: "queue", Setup: func(w *scenarios.World) error {
		q := w.Queue(1)
		buf := w.Buffer("m", 8)
		w.Agent("P0", func(a *shared.Agent) error {
			q := q.For(a)
			q.Put(context.Background(), int64(1))
			return q.Put(context.Background(), int64(2))
		})
		w.Agent("P1", func(a *shared.Agent) error {
			q := q.For(a)
			x, err := q.GetTimeout(time.Second)
			if err != nil {
				w.Report(a, "timeout", 1)
				x, err = q.Get(context.Background())
			}
			v, _ := shared.View(buf.For(a), shared.Int32)
			v.SetInt(0, x.(int64))
			y, err := q.Get(context.Background())
			if err != nil {
				return err
			}
			w.Report(a, "y", y.(int64))
			return nil
		})
		return nil
	}}
	rep, err := scenarios.Run(context.Background(), sc, scenarios.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%+v complete=%v", rep.Stats, rep.Complete)
	for _, o := range rep.Outcomes {
		t.Logf("  %s   %s", o.Key(), o.Schedule)
	}
	for _, f := range rep.Failures {
		t.Logf("  FAIL %v", f)
	}
}

func TestSmokeDeadlock(t *testing.T) {
	sc := &scenarios.Scenario{Name: "deadlock", Setup: func(w *scenarios.World) error {
		buf := w.Buffer("m", 8)
		w.Agent("P0", func(a *shared.Agent) error {
			v, _ := shared.View(buf.For(a), shared.Int32)
			atomics.Wait(v, 0, 0, atomics.Forever)
			return nil
		})
		return nil
	}}
	rep, err := scenarios.Run(context.Background(), sc, scenarios.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%+v", rep.Stats)
	for _, f := range rep.Failures {
		t.Logf("  FAIL %v", f)
	}
}
