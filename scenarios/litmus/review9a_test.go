package litmus_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
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

// mixedSrc is a small test — 4 agents, 7 statements, one 8-byte block —
// over views of mixed sizes (BigUint64, BigInt64, Uint32, Uint8).
const mixedSrc = `JS Mixed+BigInt
{ BigUint64 d[1]; Uint32 w[2] @ 0; Uint8 b[8] @ 0; BigInt64 s[1] @ 0; }
P0 {
  d[0] = 0x1111111122222222;
}
P1 {
  Atomics.store(w, 1, 0x33333333);
  r0 = w[0];
}
P2 {
  r0 = d[0];
  r1 = Atomics.load(s, 0);
}
P3 {
  r0 = Atomics.add(b, 0, 1);
  r1 = Atomics.exchange(b, 7, 0xff);
}
exists (true)
`

// TestReviewBug_StressGradingUnbounded: litmus.Stress without a Grading
// (what `sabre stress FILE` does) grades with StressGrading, which runs
// the enumerator with no time or memory budget (RunContext on the caller's
// context; not RunLimit) and calls both sets complete. On mixedSrc, which
// parses (so it is within every documented limit), the process grows by
// ~150 MB/s (3.2 GB after 20 s) and was OOM-killed after 7.5 minutes,
// before a single iteration ran. scenarios.StressOptions has
// ExploreBudget and an incomplete Grading (UNKNOWN grades) for exactly
// this; litmus.StressOptions has neither. Expected: Stress returns
// within a bounded time — an error naming the budget, or a report graded
// by an incomplete Grading. (Runs in a child process killed after 10 s,
// ~1.5 GB.)
func TestReviewBug_StressGradingUnbounded(t *testing.T) {
	if os.Getenv("SABRE_REVIEW_CHILD") == "grading" {
		lt, err := litmus.Parse("mixed.litmus", []byte(mixedSrc))
		if err != nil {
			t.Fatal(err)
		}
		_, err = litmus.Stress(context.Background(), lt, "es2024", litmus.StressOptions{Iterations: 1000, GradeBudget: 2 * time.Second})
		fmt.Println("returned:", err)
		return
	}
	if _, err := litmus.Parse("mixed.litmus", []byte(mixedSrc)); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestReviewBug_StressGradingUnbounded$", "-test.count=1")
	cmd.Env = append(os.Environ(), "SABRE_REVIEW_CHILD=grading")
	out, _ := cmd.CombinedOutput()
	if ctx.Err() != nil {
		t.Fatalf("litmus.Stress on a 4-agent, 7-statement mixed-size test had not returned after 10 s (the grading's enumeration has no budget)")
	}
	if !strings.Contains(string(out), "returned:") {
		t.Fatalf("child: %s", out)
	}
}
