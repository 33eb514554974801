package scenarios_test

import (
	"os"
	"runtime"
	"slices"
	"strconv"
	"testing"
)

// BenchmarkChanPingPong is the baseline of a controlled step: two
// goroutines handing a token back and forth over unbuffered channels, one
// hand-off per operation (a controlled step hands the baton to another
// goroutine ¾ of the time in BenchmarkControlledSteps).
func BenchmarkChanPingPong(b *testing.B) {
	ping, pong := make(chan struct{}), make(chan struct{})
	go func() {
		for range ping {
			pong <- struct{}{}
		}
		close(pong)
	}()
	for i := 0; b.Loop(); i++ {
		if i%2 == 0 {
			ping <- struct{}{}
		} else {
			<-pong
		}
	}
	close(ping)
	for range pong {
	}
}

// TestBenchmarkRatios checks the explorer's speed target as a ratio
// against a baseline measured in the same run: a controlled step of the
// random strategy (BenchmarkControlledSteps, 1,000,000 steps per second on
// one core is the target) costs at most 6 channel hand-offs
// (BenchmarkChanPingPong: about 140 ns each on the 2-core x86 machine the
// target was set on, so 6 hand-offs are the target's 1 µs). Skipped unless
// SABRE_BENCH_RATIOS=1 (it needs a quiet machine; CI stays free of timing
// flakes); SABRE_BENCH_COUNT sets the number of samples (default 5):
//
//	SABRE_BENCH_RATIOS=1 go test -run TestBenchmarkRatios -v -cpu 1 ./scenarios
func TestBenchmarkRatios(t *testing.T) {
	s, h := medianRatio(t, BenchmarkControlledSteps, "steps/s")
	t.Logf("controlled step median %.0f ns (%.2f M steps/s), channel hand-off median %.0f ns: ratio %.2f (limit 6)", s, 1e3/s, h, s/h)
	if s/h > 6 {
		t.Errorf("a controlled step costs %.2f channel hand-offs, more than 6", s/h)
	}
}

// medianRatio is what both ratio tests measure, skipped unless
// SABRE_BENCH_RATIOS=1: the medians, over SABRE_BENCH_COUNT samples
// (default 5), of the cost in ns of one unit of bench (1e9 over its metric
// unitsPerSecond) and of a channel hand-off (BenchmarkChanPingPong),
// measured alternately in the same run.
func medianRatio(t *testing.T, bench func(*testing.B), unitsPerSecond string) (unit, handoff float64) {
	t.Helper()
	if os.Getenv("SABRE_BENCH_RATIOS") != "1" {
		t.Skip("set SABRE_BENCH_RATIOS=1 to measure the benchmark ratios")
	}
	count := 5
	if s := os.Getenv("SABRE_BENCH_COUNT"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			t.Fatalf("SABRE_BENCH_COUNT=%q is not a count", s)
		}
		count = n
	}
	var units, handoffs []float64
	for range count {
		r := testing.Benchmark(bench)
		units = append(units, 1e9/r.Extra[unitsPerSecond])
		r = testing.Benchmark(BenchmarkChanPingPong)
		handoffs = append(handoffs, float64(r.T.Nanoseconds())/float64(r.N))
	}
	slices.Sort(units)
	slices.Sort(handoffs)
	return units[len(units)/2], handoffs[len(handoffs)/2]
}

// TestStressBenchmarkRatio checks the stress runner's speed target as a
// ratio against a baseline measured in the same run: a stressed MP+na
// iteration (BenchmarkStressMP; the target is 1,000,000 per second on 2
// cores, as jcstress reaches) costs at most 7 channel hand-offs
// (BenchmarkChanPingPong: about 140 ns each on the 2-core x86 machine the
// target was set on, so 7 hand-offs are the target's 1 µs). It needs two
// processors (each agent one), so it runs with GOMAXPROCS set to the
// number of CPUs, and is skipped on a single CPU. Skipped unless
// SABRE_BENCH_RATIOS=1, like TestBenchmarkRatios; SABRE_BENCH_COUNT sets
// the number of samples (default 5):
//
//	SABRE_BENCH_RATIOS=1 go test -run TestStressBenchmarkRatio -v ./scenarios
func TestStressBenchmarkRatio(t *testing.T) {
	if runtime.NumCPU() < 2 {
		t.Skip("the stress runner's target is for two processors or more")
	}
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(runtime.NumCPU()))
	s, h := medianRatio(t, BenchmarkStressMP, "iterations/s")
	t.Logf("stressed MP iteration median %.0f ns (%.2f M iterations/s), channel hand-off median %.0f ns: ratio %.2f (limit 7)", s, 1e3/s, h, s/h)
	if s/h > 7 {
		t.Errorf("a stressed MP iteration costs %.2f channel hand-offs, more than 7", s/h)
	}
}
