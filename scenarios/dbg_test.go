package scenarios

import (
	"context"
	"testing"

	"github.com/sabre-mm/sabre/shared"
)

func TestDbgRedundant(t *testing.T) {
	n := 0
	debugRedundant = func(x *Execution) {
		if n < 3 {
			t.Logf("redundant: %s  key %s", x.Schedule, x.Outcome.Key())
		}
		n++
	}
	defer func() { debugRedundant = nil }()
	sc := &Scenario{Name: "SB", Setup: func(w *World) error {
		buf := w.Buffer("m", 8)
		w.Agent("P0", func(a *shared.Agent) error {
			v, _ := shared.View(buf.For(a), shared.Int32)
			v.SetInt(0, 1)
			r, _ := v.GetInt(1)
			w.Report(a, "r0", r)
			return nil
		})
		w.Agent("P1", func(a *shared.Agent) error {
			v, _ := shared.View(buf.For(a), shared.Int32)
			v.SetInt(1, 1)
			r, _ := v.GetInt(0)
			w.Report(a, "r0", r)
			return nil
		})
		return nil
	}}
	rep, _ := Run(context.Background(), sc, Options{})
	t.Logf("%+v", rep.Stats)
	for _, o := range rep.Outcomes {
		t.Logf("%s %s", o.Key(), o.Schedule)
	}
}
