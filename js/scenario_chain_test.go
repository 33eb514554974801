package js

import (
	"context"
	"testing"
	"time"

	"github.com/sabre-mm/sabre/scenarios"
)

// TestScenarioChainedWaitAsync: a waiter awaits two waitAsyncs in turn,
// each settled by the notifier: no hang, no failure, under the explorer
// (complete) and under stress.
func TestScenarioChainedWaitAsync(t *testing.T) {
	src := `const ia = new Int32Array(new SharedArrayBuffer(8));
sabre.agent("w", async () => {
  let n = 0;
  for (const i of [0, 1]) {
    const r = Atomics.waitAsync(ia, i, 0);
    if ((r.async ? await r.value : r.value) !== "timed-out") n++;
  }
  sabre.observe({ n });
});
sabre.agent("n", () => {
  for (const i of [0, 1]) { Atomics.store(ia, i, 1); Atomics.notify(ia, i); }
});
sabre.forbid(o => o.n !== 2, "a wait timed out");
`
	sc, err := Scenario("chain.js", src, ScenarioOptions{})
	if err != nil {
		t.Fatal(err)
	}
	rep, err := scenarios.Run(context.Background(), sc, scenarios.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Failures) > 0 || !rep.Complete || len(rep.Outcomes) == 0 {
		t.Fatalf("failures %v, complete %v, %d outcomes", rep.Failures, rep.Complete, len(rep.Outcomes))
	}
	// A generous iteration timeout: -race on a loaded 2-core machine once
	// took over 2 s; a lost wake-up still hangs past it.
	rs, err := scenarios.Stress(context.Background(), sc, scenarios.StressOptions{Iterations: 300, IterationTimeout: 20 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if rs.Failed() {
		t.Fatalf("stress: %+v %v", rs.Rows, rs.Failures)
	}
}
