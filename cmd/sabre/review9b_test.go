package main

// Review of issue 9's command-line side (sabre stress, sabre explore
// --strategy): each TestReviewBug_ test below fails on the code as
// reviewed and says what was expected.

import (
	"bytes"
	"errors"
	"io"
	"regexp"
	"strings"
	"testing"

	"github.com/sabre-mm/sabre/scenarios"
	"github.com/sabre-mm/sabre/shared"
)

// TestReviewBug_StressDurationZeroChangesLitmusDefault: the usage says
// "--iterations N bounds each test (default 100000 for a litmus test ...)"
// and "--duration D ... (0: none)". Yet an explicit --duration 0 makes the
// CLI pass Iterations 0 and Duration 0 to litmus.Stress (runStress sets
// cfg.iterations = -1 whenever --duration is given without --iterations),
// which then falls back to litmus.DefaultStressIterations, 1,000,000: ten
// times the documented default. (A Go scenario happens to get 10,000 by
// the same fallback, so only litmus tests show it.)
// Expected: --duration 0 means "no time bound" and the default count,
// 100,000, applies.
func TestReviewBug_StressDurationZeroChangesLitmusDefault(t *testing.T) {
	code, out, errs := runCLI(t, "stress", "--duration", "0", "MP+na")
	if code != 0 {
		t.Fatalf("exit %d, stderr %q", code, errs)
	}
	m := regexp.MustCompile(`Litmus MP\+na under es2024: (\d+) iterations`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no header in\n%s", out)
	}
	if m[1] != "100000" {
		t.Errorf("--duration 0 (documented as no time bound) ran %s iterations of a litmus test; want the documented default, 100000", m[1])
	}
}

// TestReviewBug_StressProgressTotalOverflows: the progress bar's total is
// the sum of every test's --iterations, with no overflow check. With a
// large --iterations (bounded in practice by --duration, "with both, the
// first reached ends it") and two tests, the sum wraps and the bar on a
// terminal reads "(5444608/-2, 3628133 it/s)" at 0%; on a real terminal
// (script -qc) the stale bar was also left on the line of the next
// result header. Expected: a sane (saturated, or per-test/time-based)
// total, never a negative one.
func TestReviewBug_StressProgressTotalOverflows(t *testing.T) {
	old := isTerminal
	isTerminal = func(io.Writer) bool { return true }
	t.Cleanup(func() { isTerminal = old })
	code, _, errs := runCLI(t, "stress", "--iterations", "9223372036854775807", "--duration", "1200ms", "MP+na", "SB+na")
	if code != 0 {
		t.Fatalf("exit %d, stderr %q", code, errs)
	}
	if regexp.MustCompile(`/-\d`).MatchString(errs) {
		t.Errorf("the progress bar shows a negative total (the sum of the tests' iterations overflowed):\n%q", lastLine(errs))
	}
}

// TestReviewBug_StressGradingNoteSingular: a Go scenario's grading line
// says "1 outcomes" (scenarios.StressGrade's note uses %d outcomes), e.g.
// "graded by exhaustive exploration under es2024: 1 outcomes, 759
// executions" for Mutex+unlock-check-then-store. The CLI's own lines use
// plural() ("1 iteration", "1 distinct outcome"). Expected: "1 outcome".
func TestReviewBug_StressGradingNoteSingular(t *testing.T) {
	withScenarios(t, func() *scenarios.Scenario {
		return &scenarios.Scenario{Name: "one", Setup: func(w *scenarios.World) error {
			buf := w.Buffer("m", 4)
			w.Agent("P0", func(a *shared.Agent) error {
				v, err := shared.View(buf.For(a), shared.Int32)
				if err == nil {
					err = v.SetInt(0, 1)
				}
				return err
			})
			return nil
		}}
	})
	code, out, errs := runCLI(t, "stress", "--iterations", "10", "one")
	if code != 0 {
		t.Fatalf("exit %d, stderr %q", code, errs)
	}
	if strings.Contains(out, " 1 outcomes") {
		t.Errorf("grading note says \"1 outcomes\":\n%s", out)
	}
}

// TestReviewBug_ExploreStrategySCDRF: issue 9 made SCDRF a strategy
// (docs/scenarios.md "Strategies" lists `sc-drf`; go test accepts
// -sabre.strategy sc-drf), and it is the only strategy that finishes on
// the primitives' retry loops (examples/doc.go: "exhaustive ... does not
// end on the others' retry loops"). sabre explore --strategy refuses it:
// `unknown strategy "sc-drf" (want one of exhaustive, random, pct,
// replay)`, exit 2, so the command line cannot run the one complete
// search the primitives have. Expected: --strategy sc-drf accepted (exit
// 0 on a correct scenario, reporting whether the search was complete).
func TestReviewBug_ExploreStrategySCDRF(t *testing.T) {
	code, out, errs := runCLI(t, "explore", "--strategy", "sc-drf", "--model", "es2024", "MP+wait-notify")
	if code != 0 {
		t.Errorf("sabre explore --strategy sc-drf: exit %d, stdout %q, stderr %q; want 0", code, out, errs)
	}
}

func lastLine(s string) string {
	s = strings.TrimRight(s, "\r\n")
	if i := strings.LastIndexAny(s, "\r\n"); i >= 0 {
		return s[i+1:]
	}
	return s
}

// TestReviewBug_StressJitterReportedAsDeadlock: --jitter N has no upper
// bound, and the spin it adds counts against the iteration watchdog
// (IterationTimeout, 2 s, which no flag changes). A correct scenario run
// with a large jitter is then reported as a bug: `sabre stress --jitter
// 2000000000 --iterations 3 MP+wait-notify` prints "failure deadlock at
// iteration 0: agent(s) writer, reader did not end within 2s ...
// blocked forever (a deadlock, a lost wake-up) or looping", "FAILED",
// and exits 1 — the status of a real lost wake-up. Expected: a flag value
// that cannot work is bad input (exit 2), or the watchdog starts after
// the jitter; never a false deadlock with exit 1.
func TestReviewBug_StressJitterReportedAsDeadlock(t *testing.T) {
	code, out, errs := runCLI(t, "stress", "--jitter", "2000000000", "--iterations", "1", "--explore-budget", "2s", "MP+wait-notify")
	if code == 1 && strings.Contains(out, "failure deadlock") {
		t.Errorf("a correct scenario with a large --jitter is reported as a deadlock, exit 1:\n%s%s", out, errs)
	}
}

// failingWriter fails every write, as stdout on a full disk (/dev/full)
// or a closed pipe does.
type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("no space left on device") }

// TestReviewBug_StressTextIgnoresWriteErrors: `sabre stress --iterations
// 100 MP+na > /dev/full` exits 0 with nothing on stderr: writeStressText
// drops the bufio.Writer's Flush error, so a run whose results were never
// written reports success. The same run with --json exits 2 ("sabre
// stress: write /dev/stdout: no space left on device"). (sabre litmus and
// sabre explore drop such errors too: exit 0.) Expected: the text table's
// write error reported on stderr and a non-zero exit, as with --json.
func TestReviewBug_StressTextIgnoresWriteErrors(t *testing.T) {
	var errb bytes.Buffer
	code := run([]string{"stress", "--iterations", "100", "MP+na"}, failingWriter{}, &errb)
	if code == 0 {
		t.Errorf("stdout failed every write, yet exit 0, stderr %q; want non-zero and the write error named", errb.String())
	}
	errb.Reset()
	if code := run([]string{"stress", "--json", "--iterations", "100", "MP+na"}, failingWriter{}, &errb); code == 0 {
		t.Errorf("--json: exit 0 on a failing stdout")
	}
}
