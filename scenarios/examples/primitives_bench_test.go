package examples_test

import (
	"context"
	"testing"

	"github.com/sabre-mm/sabre/scenarios"
	"github.com/sabre-mm/sabre/scenarios/examples"
)

// BenchmarkBuggyCatch measures the time to catch each buggy primitive's
// bug with the strategy its Buggy test uses (one exploration per op, to
// its first failure): ns/op is the time to catch, executions/op how many
// executions it took. Medians: go test -bench BuggyCatch -count 5.
func BenchmarkBuggyCatch(b *testing.B) {
	for _, c := range []struct {
		mk    func() *scenarios.Scenario
		strat func() scenarios.Strategy
	}{
		{examples.MutexForgetsContended, func() scenarios.Strategy { return scenarios.LatestReads(scenarios.PCT(3, 1)) }},
		{examples.MutexUnlockCheckThenStore, func() scenarios.Strategy { return scenarios.SCDRF() }},
		{examples.MutexTestThenSet, func() scenarios.Strategy { return scenarios.SCDRF() }},
		{examples.ConditionSeqAfterUnlock, func() scenarios.Strategy { return scenarios.SCDRF() }},
		{examples.BarrierNoGeneration, func() scenarios.Strategy { return scenarios.SCDRF() }},
		{examples.BarrierWakeBeforeReset, func() scenarios.Strategy { return scenarios.SCDRF() }},
	} {
		b.Run(c.mk().Name, func(b *testing.B) {
			var execs int
			for b.Loop() {
				rep, err := scenarios.Run(context.Background(), c.mk(), scenarios.Options{Strategy: c.strat(), Executions: budget})
				if err != nil || len(rep.Failures) != 1 || !rep.Failures[0].Expected {
					b.Fatalf("err %v, failures %v", err, rep.Failures)
				}
				execs = rep.Stats.Executions
			}
			b.ReportMetric(float64(execs), "executions/op")
		})
	}
}

// BenchmarkBuggyCatchPCT is the time to catch each bug with PCT of depth
// 3 (reads by default), seeds 1, 2, … one per op, within pctExecutions
// executions — the sampling strategy alone, for comparison; missed/op is
// the fraction of seeds that did not catch it.
func BenchmarkBuggyCatchPCT(b *testing.B) {
	for _, mk := range []func() *scenarios.Scenario{examples.MutexForgetsContended, examples.MutexUnlockCheckThenStore,
		examples.MutexTestThenSet, examples.ConditionSeqAfterUnlock, examples.BarrierNoGeneration, examples.BarrierWakeBeforeReset} {
		b.Run(mk().Name, func(b *testing.B) {
			seed := uint64(0)
			n, missed := 0, 0
			for b.Loop() {
				seed++
				rep, err := scenarios.Run(context.Background(), mk(), scenarios.Options{Strategy: scenarios.LatestReads(scenarios.PCT(3, seed)), Executions: pctExecutions})
				if err != nil || len(rep.Failures) > 1 || len(rep.Failures) == 1 && !rep.Failures[0].Expected {
					b.Fatalf("seed %d: err %v, failures %v", seed, err, rep.Failures)
				}
				if len(rep.Failures) == 0 {
					missed++
				}
				n += rep.Stats.Executions
			}
			b.ReportMetric(float64(n)/float64(b.N), "executions/op")
			b.ReportMetric(float64(missed)/float64(b.N), "missed/op")
		})
	}
}
