//go:build !race

package litmus

import (
	"context"
	"runtime"
	"sync"
	"testing"

	"github.com/sabre-mm/sabre/internal/affinity"
)

// BenchmarkStressCalibrationSB calibrates the fast path's harness: store
// buffering (SB) run in the same manner — two pinned goroutines, batches
// of 1,024 instances, meeting every 64 — but with raw Go memory (plain
// MOV stores and loads, a deliberate data race: hence !race) instead of
// the shared API, reporting the fraction of instances where both loads
// read 0 (weak/op). On x86 that is the store-buffering weak behaviour TSO
// allows; BenchmarkStressSBShared reports the same fraction through
// litmus.Stress, where sabre's plain stores are sync/atomic stores
// (XCHG on amd64, a full fence), so it is 0 there: the harness sees weak
// behaviours when the implementation allows them.
func BenchmarkStressCalibrationSB(b *testing.B) {
	const batch, every = 1024, 64
	x, y := make([]int64, batch*8), make([]int64, batch*8) // 64 bytes apart
	r0, r1 := make([]int64, batch), make([]int64, batch)
	var bar batchBarrier
	bar.n = 2
	prog := make([]paddedCounter, 2)
	weak, total := 0, 0
	var base uint64
	for b.Loop() {
		for i := range batch {
			x[i*8], y[i*8] = 0, 0
		}
		var wg sync.WaitGroup
		for a := range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer affinity.Pin(a)()
				bar.wait()
				mine, other, regs := x, y, r0
				if a == 1 {
					mine, other, regs = y, x, r1
				}
				for i := range batch {
					if i%every == 0 {
						at := base + uint64(i) + 1
						prog[a].v.Store(at)
						for j := range prog {
							for prog[j].v.Load() < at {
								runtime.Gosched()
							}
						}
					}
					mine[i*8] = 1
					regs[i] = other[i*8]
				}
			}()
		}
		wg.Wait()
		base += batch
		for i := range batch {
			if r0[i] == 0 && r1[i] == 0 {
				weak++
			}
		}
		total += batch
	}
	b.ReportMetric(float64(weak)/float64(total), "weak/op")
}

// BenchmarkStressSBShared is SB+na through litmus.Stress (the shared API):
// the fraction of instances with the weak state (both loads read 0).
func BenchmarkStressSBShared(b *testing.B) {
	tests, err := CatalogueTests()
	if err != nil {
		b.Fatal(err)
	}
	var lt *Test
	for _, t := range tests {
		if t.Name == "SB+na" {
			lt = t
		}
	}
	g, err := StressGrading(context.Background(), lt, "es2024")
	if err != nil {
		b.Fatal(err)
	}
	weak, total := 0, 0
	for b.Loop() {
		rep, err := Stress(context.Background(), lt, "es2024", StressOptions{Iterations: 102400, Affinity: true, Grading: g, Stride: 64})
		if err != nil {
			b.Fatal(err)
		}
		weak += rep.Count("INTERESTING")
		total += rep.Iterations
	}
	b.ReportMetric(float64(weak)/float64(total), "weak/op")
}
