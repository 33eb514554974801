package examples_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/sabre-mm/sabre/model"
	"github.com/sabre-mm/sabre/scenarios"
	"github.com/sabre-mm/sabre/scenarios/examples"
)

// BenchmarkCatchBuggyPrimitives measures how long the explorer takes to
// catch each buggy primitive (ring buffer, seqlock, reader-writer lock):
// one op is one exploration under es2024 up to its first failure, by the
// exhaustive strategy and by pct (depth 3, seed = the iteration's number,
// so that runs differ), within scenarios.DefaultExecutions executions. It
// reports the median time to catch ("median-ms"; run with -benchtime=5x
// for the median of 5) and the executions the last catch took. An
// exploration that does not catch the bug fails the benchmark. The
// exhaustive strategy does not catch the reader-writer locks' bugs in any
// reasonable time (see TestRWLock) and is not run on them.
func BenchmarkCatchBuggyPrimitives(b *testing.B) {
	for _, c := range []struct {
		sc         func() *scenarios.Scenario
		exhaustive bool
	}{
		{examples.RingIndexBeforeData, true},
		{examples.RingPlainIndex, true},
		{examples.SeqlockPlainNoRecheck, true},
		{examples.SeqlockPlainData, true},
		{examples.RWLockNoDrain, false},
		{examples.RWLockLostWakeup, false},
	} {
		for _, strat := range []string{"exhaustive", "pct"} {
			if strat == "exhaustive" && !c.exhaustive {
				continue
			}
			b.Run(c.sc().Name+"/"+strat, func(b *testing.B) {
				var times []time.Duration
				executions := 0
				seed := uint64(0)
				for b.Loop() {
					seed++
					opt := scenarios.Options{Model: model.ES2024, Executions: scenarios.DefaultExecutions}
					if strat == "pct" {
						opt.Strategy = scenarios.PCT(3, seed)
					}
					start := time.Now()
					rep, err := scenarios.Run(context.Background(), c.sc(), opt)
					times = append(times, time.Since(start))
					if err != nil {
						b.Fatal(err)
					}
					if len(rep.Failures) == 0 || !rep.Failures[0].Expected {
						b.Fatalf("%s (%s, seed %d): the bug was not caught in %d executions", rep.Scenario, strat, seed, rep.Stats.Executions)
					}
					executions = rep.Failures[0].Execution + 1
				}
				slices.Sort(times)
				b.ReportMetric(float64(times[len(times)/2].Microseconds())/1000, "median-ms")
				b.ReportMetric(float64(executions), "executions")
			})
		}
	}
}
