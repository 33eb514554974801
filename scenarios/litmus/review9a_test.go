package litmus_test

import (
	"context"
	"testing"
	"time"

	"github.com/sabre-mm/sabre/scenarios/litmus"
)

// Review of issue 9 (branch review9a): failing tests that show bugs.

// TestReviewBug_StressBatchStrideOverflow: the MaxStressBuffer check
// multiplies Batch × Stride in int, which overflows for huge (but
// individually valid: non-negative, a multiple of 8) values, so the check
// passes and Stress panics (or tries to allocate) instead of returning the
// documented error "a stride that does not fit". With Duration (no
// Iterations) Batch is not clamped to the iterations. Expected: an error.
func TestReviewBug_StressBatchStrideOverflow(t *testing.T) {
	lt := catalogueTest(t, "SB+sc")
	for _, opt := range []litmus.StressOptions{
		{Duration: 10 * time.Millisecond, Batch: 1 << 61, Stride: 8},
		{Duration: 10 * time.Millisecond, Stride: 1 << 60}, // × DefaultBatch (1024) wraps to 0
	} {
		func() {
			defer func() {
				if p := recover(); p != nil {
					t.Errorf("Batch %d, Stride %d: Stress panicked: %v; want an error", opt.Batch, opt.Stride, p)
				}
			}()
			if _, err := litmus.Stress(context.Background(), lt, "es2024", opt); err == nil {
				t.Errorf("Batch %d, Stride %d: no error; want one (the batch does not fit in MaxStressBuffer)", opt.Batch, opt.Stride)
			}
		}()
	}
}
