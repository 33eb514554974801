package atomics

import (
	"os"
	"sort"
	"testing"
)

// TestBenchmarkRatios runs the benchmark pairs and checks the
// performance targets as ratios against a baseline measured in the same
// run. It is skipped unless SABRE_BENCH_RATIOS=1 (it takes tens of seconds
// and needs a quiet machine), so CI stays fast and free of timing flakes:
//
//	SABRE_BENCH_RATIOS=1 go test -run TestBenchmarkRatios -v ./atomics
//
// Each benchmark runs SABRE_BENCH_COUNT times (default 5), the pairs
// interleaved, and the medians are compared.
func TestBenchmarkRatios(t *testing.T) {
	if os.Getenv("SABRE_BENCH_RATIOS") != "1" {
		t.Skip("set SABRE_BENCH_RATIOS=1 to measure the benchmark ratios")
	}
	count := 5
	if s := os.Getenv("SABRE_BENCH_COUNT"); s != "" {
		n := 0
		for _, c := range s {
			if c < '0' || c > '9' {
				t.Fatalf("SABRE_BENCH_COUNT=%q is not a count", s)
			}
			n = n*10 + int(c-'0')
		}
		if n > 0 {
			count = n
		}
	}
	benches := map[string]func(*testing.B){
		"RawLoadInt32": BenchmarkRawLoadInt32, "LoadInt32": BenchmarkLoadInt32,
		"RawAddInt32": BenchmarkRawAddInt32, "AddInt32": BenchmarkAddInt32,
		"AddInt8": BenchmarkAddInt8, "AddInt32Recorded": BenchmarkAddInt32Recorded,
		"AddInt32RecordedParallel": BenchmarkAddInt32RecordedParallel,
		"ChanPingPong":             BenchmarkChanPingPong, "WaitNotifyPingPong": BenchmarkWaitNotifyPingPong,
	}
	order := []string{"RawLoadInt32", "LoadInt32", "RawAddInt32", "AddInt32", "AddInt8",
		"AddInt32Recorded", "AddInt32RecordedParallel", "ChanPingPong", "WaitNotifyPingPong"}
	samples := map[string][]float64{}
	for r := 0; r < count; r++ {
		for _, name := range order {
			res := testing.Benchmark(benches[name])
			samples[name] = append(samples[name], float64(res.T.Nanoseconds())/float64(res.N))
		}
	}
	med := map[string]float64{}
	for _, name := range order {
		s := samples[name]
		sort.Float64s(s)
		med[name] = s[len(s)/2]
		t.Logf("%-20s median %8.3f ns/op  (samples %.3v)", name, med[name], s)
	}
	check := func(what string, got, limit float64, detail string) {
		t.Helper()
		if got > limit {
			t.Errorf("%s: %.3f, target ≤ %.3f (%s)", what, got, limit, detail)
		} else {
			t.Logf("%s: %.3f ≤ %.3f (%s) ok", what, got, limit, detail)
		}
	}
	check("Add / raw Add", med["AddInt32"]/med["RawAddInt32"], 1.1, "ratio")
	check("Load / raw Load", med["LoadInt32"]/med["RawLoadInt32"], 2, "ratio")
	check("AddInt8 / raw Add", med["AddInt8"]/med["RawAddInt32"], 2, "ratio")
	check("Recorded Add − raw Add", med["AddInt32Recorded"]-med["RawAddInt32"], 50, "ns")
	check("Recorded Add, parallel agents / one agent", med["AddInt32RecordedParallel"]/med["AddInt32Recorded"], 1, "ratio of ns per operation")
	check("ping-pong / channels", med["WaitNotifyPingPong"]/med["ChanPingPong"], 2, "ratio")
}
