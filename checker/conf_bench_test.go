package checker

import (
	"context"
	"testing"

	"github.com/sabre-mm/sabre/model"
)

// confBench records a run of confWorkload with about events events (4
// agents: plain data published by Atomics.store, Atomics.load, an
// Atomics.add ticket, a plain counter under a compareExchange spin lock,
// unsynchronized plain words) and checks it under v b.N times.
func confBench(b *testing.B, v model.Variant, agents, events int) {
	// Lock contention varies the number of events (failing
	// compareExchanges): record until the history is within 5% of events.
	iters := events/(11*agents) + 1
	h := confWorkload(b, agents, iters)
	for try := 0; try < 20 && (len(h.Events) < events*95/100 || len(h.Events) > events*105/100); try++ {
		iters = max(1, iters*events/len(h.Events))
		h = confWorkload(b, agents, iters)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		rep, err := Conformance(context.Background(), h, Options{Model: v})
		if err != nil {
			b.Fatal(err)
		}
		if rep.Verdict != Ok {
			b.Fatalf("%s: %s: %s", v, rep.Verdict, rep.Reason)
		}
	}
	b.ReportMetric(float64(len(h.Events)), "events/op")
}

// BenchmarkConformance: a recorded history of about 10,000 events, plain
// (Unordered) accesses from 4 agents with seq-cst synchronization, under
// es2024. Target: decided within 1 s.
func BenchmarkConformance(b *testing.B) { confBench(b, model.ES2024, 4, 10000) }

// BenchmarkConformanceVariants: the same under es2017 and sc.
func BenchmarkConformanceVariants(b *testing.B) {
	for _, v := range []model.Variant{model.ES2017, model.SC} {
		b.Run(v.Name(), func(b *testing.B) { confBench(b, v, 4, 10000) })
	}
}

// BenchmarkConformance100k: about 100,000 events from 8 agents, es2024.
func BenchmarkConformance100k(b *testing.B) { confBench(b, model.ES2024, 8, 100000) }
