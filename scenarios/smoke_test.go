package scenarios_test

import (
	"context"
	"testing"

	"github.com/sabre-mm/sabre/atomics"
	"github.com/sabre-mm/sabre/model"
	"github.com/sabre-mm/sabre/scenarios"
	"github.com/sabre-mm/sabre/shared"
)

func sbScenario() *scenarios.Scenario {
	return &scenarios.Scenario{
		Name: "SB+na",
		Setup: func(w *scenarios.World) error {
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
		},
	}
}

func TestSmokeSB(t *testing.T) {
	for _, v := range []model.Variant{model.ES2024, model.SC} {
		m := scenarios.Meter(scenarios.Exhaustive(0))
		rep, err := scenarios.Run(context.Background(), sbScenario(), scenarios.Options{Model: v, Strategy: m})
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%s: %+v complete=%v", v.Name(), rep.Stats, rep.Complete)
		for _, o := range rep.Outcomes {
			t.Logf("  %s   %s", o.Key(), o.Schedule)
		}
		for _, f := range rep.Failures {
			t.Logf("  FAIL %v", f)
		}
	}
	_ = atomics.Load
}
