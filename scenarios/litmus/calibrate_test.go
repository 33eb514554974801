//go:build !race

package litmus

import (
	"context"
	"testing"
)

// BenchmarkStressSBShared is SB+na through litmus.Stress (the shared API):
// the fraction of instances with the weak state (both loads read 0) —
// x86-TSO's store buffering, which shows because a plain store is one MOV
// there (mem.Block.StorePlain); with sync/atomic's XCHG stores it was 0.
// Not built under -race, where plain stores are sync/atomic's.
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
	g, err := StressGrading(context.Background(), lt, "es2024", 0)
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
