package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"os/signal"
	"strings"
	"sync"
	"time"

	"github.com/sabre-mm/sabre/checker"
	"github.com/sabre-mm/sabre/model"
	"github.com/sabre-mm/sabre/scenarios"
	"github.com/sabre-mm/sabre/scenarios/litmus"
	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

func init() {
	register(command{
		name:    "stress",
		summary: "run litmus tests and built-in scenarios on real threads many times, grading each outcome",
		run:     runStress,
	})
}

const stressUsage = `usage: sabre stress [--model NAME] [--iterations N] [--duration D] [--json]
                    [--explore-budget D] [--sample N] [--checks LIST]
                    [--jitter N] [--sync-every N]
                    [--affinity=false] [--max-rows N] [FILE|DIR|NAME ...]

Runs each litmus test or built-in Go scenario on real goroutines, with no
controller, many times (in the manner of jcstress and litmus7), and prints
a histogram of the outcomes seen, each graded against the memory model
(--model, default es2024; one of %s):

  ACCEPTABLE   the model allows it, and so does sequential consistency
  INTERESTING  the model allows it, sequential consistency does not: a
               weak behaviour the machine showed
  FORBIDDEN    the model does not allow it (or the scenario's Check
               rejects it): a bug, printed with the iteration that first
               produced it; the run fails
  UNKNOWN      not reached by an incomplete exploration or enumeration:
               the model may or may not allow it

sabre implements es2024: under --model sc every weak behaviour of plain
accesses the machine shows (x86's store buffering) is FORBIDDEN, and under
es2017 so is a failing compareExchange that does not write.

Arguments, as sabre explore's: a litmus FILE, a DIR (every *.litmus file in
it), or the NAME of a built-in test (sabre explore --list); with none, the
whole litmus catalogue, then every built-in Go scenario.

A litmus test runs on the fast path (litmus.Stress): batches of instances
over one shared buffer, each agent a goroutine running its operations
through the shared and atomics API over the whole batch, meeting the
others every --sync-every instances, pinned to processors of their own
(unless --affinity=false); its states are graded against the
enumerator's (under --model and under sc, each within --explore-budget
and 65,536 states), and printed as herd7 prints states, with "*" before those that satisfy the test's condition.

A Go scenario runs one World per iteration (scenarios.Stress): Setup, its
agents started behind a barrier (not pinned: pinning goroutines started
anew each iteration costs more than the iteration), joined under a
watchdog (an iteration whose agents do not end within 2s is a deadlock,
and ends the run); its
outcomes are graded by exhaustive explorations under --model and under sc,
each within --explore-budget (an incomplete exploration grades what it did
not reach UNKNOWN), and by its Check. --sample N records every N-th
iteration and checks its history: model conformance, and the checks
--checks lists (conf, lin, race: checker's); an illegal verdict fails the
iteration. --jitter N makes each agent spin up to N turns after the start
barrier (and yield one time in eight), so that timings vary.

--iterations N bounds each test (default %d for a litmus test,
%d for a Go scenario); --duration D bounds each test's time (the batch
or iteration under way finishes); with both, the first reached ends it.
--max-rows N prints a test's N most frequent outcomes and every INTERESTING
or FORBIDDEN one, and counts the others on one line.

On a terminal, a run longer than a second shows a progress bar on stderr;
otherwise (not a terminal, or a shorter run) nothing but the results is
printed. --json prints the results as one JSON array.

Exit status: 0 when no outcome is FORBIDDEN and no iteration failed (a
buggy scenario's expected failure is not a failure); 1 otherwise, each
reported on stderr; 2 on bad input (a bad flag or flag value, an unknown
model or name, an unreadable or malformed litmus file).

Flags:
`

// Defaults of sabre stress's flags.
const (
	defaultStressLitmusIterations   = 100_000
	defaultStressScenarioIterations = 10_000
	defaultStressMaxRows            = 20
)

// stressConfig is what the flags ask for.
type stressConfig struct {
	model         string
	iterations    int // 0: the default of the kind
	duration      time.Duration
	exploreBudget time.Duration
	sample        int
	checks        []checker.Check
	jitter        int
	syncEvery     int
	affinity      bool
	maxRows       int
	progress      *stressProgress
	ctx           context.Context // ends on SIGINT
}

// maxStressJitter bounds --jitter: a million spin turns is about a
// millisecond, far below the iteration watchdog.
const maxStressJitter = 1 << 20

// errWriter keeps the first error of the writes to w (and drops the
// writes after it), so that a full disk or a closed pipe is reported.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) Write(p []byte) (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	n, err := e.w.Write(p)
	e.err = err
	return n, err
}

// stressResult is one test's result: the report and what names it.
type stressResult struct {
	tg  exploreTarget
	rep *scenarios.StressReport
}

func runStress(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("stress", flag.ContinueOnError)
	fs.SetOutput(stderr)
	modelName := fs.String("model", "es2024", "grade outcomes against this model: "+strings.Join(model.VariantNames(), ", "))
	iterations := fs.Int("iterations", 0, fmt.Sprintf("iterations per test (default %d for a litmus test, %d for a Go scenario)", defaultStressLitmusIterations, defaultStressScenarioIterations))
	duration := fs.Duration("duration", 0, "bound each test's running time (as 2s or 1m; 0: none)")
	asJSON := fs.Bool("json", false, "print the results as a JSON array instead of tables")
	exploreBudget := fs.Duration("explore-budget", scenarios.DefaultExploreBudget, "time for each exploration (Go scenario) or enumeration (litmus test) that grades a test, per model")
	sample := fs.Int("sample", 0, "record every N-th iteration of a Go scenario and check its history (0: none)")
	checks := fs.String("checks", "", "with --sample, the checks run on each sampled history besides conformance: a comma-separated list of "+strings.Join(checkNamesList(), ", "))
	jitter := fs.Int("jitter", 0, "each Go scenario agent spins up to N turns after the start barrier (0: none)")
	syncEvery := fs.Int("sync-every", 0, "litmus agents meet every N instances (0: the default, "+fmt.Sprint(litmus.DefaultSyncEvery)+" when each agent can have a processor)")
	affinityFlag := fs.Bool("affinity", true, "pin each litmus agent to a processor where the OS allows it")
	maxRows := fs.Int("max-rows", defaultStressMaxRows, "print at most N outcomes per test, most frequent first, besides every INTERESTING or FORBIDDEN one (0: all)")
	fs.Usage = func() {
		fmt.Fprintf(stderr, stressUsage, strings.Join(model.VariantNames(), ", "), defaultStressLitmusIterations, defaultStressScenarioIterations)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	bad := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "sabre stress: "+format+"\n", a...)
		return 2
	}
	if _, err := model.VariantByName(*modelName); err != nil {
		return bad("unknown model %q (want one of %s)", *modelName, strings.Join(model.VariantNames(), ", "))
	}
	if msg := checkStressRun(fs, *iterations, *duration, *exploreBudget); msg != "" {
		return bad("%s", msg)
	}
	switch {
	case *sample < 0:
		return bad("--sample %d is negative", *sample)
	case *jitter < 0 || *jitter > maxStressJitter:
		return bad("--jitter %d is not within 0 … %d (spin turns; the iteration watchdog, %v, counts them)", *jitter, maxStressJitter, scenarios.DefaultIterationTimeout)
	case flagSet(fs, "checks") && *sample == 0:
		return bad("--checks applies to sampled iterations: give --sample N too")
	case *syncEvery < 0:
		return bad("--sync-every %d is negative", *syncEvery)
	case *maxRows < 0:
		return bad("--max-rows %d is negative", *maxRows)
	}
	cfg := &stressConfig{model: *modelName, iterations: *iterations, duration: *duration, exploreBudget: *exploreBudget,
		sample: *sample, jitter: *jitter, syncEvery: *syncEvery, affinity: *affinityFlag, maxRows: *maxRows}
	if flagSet(fs, "checks") {
		cs, err := checker.ParseChecks(*checks)
		if err != nil {
			return bad("--checks: %v", err)
		}
		cfg.checks = cs
	}
	if *duration > 0 && !flagSet(fs, "iterations") {
		cfg.iterations = -1 // the duration alone bounds each test
	}
	targets, ok := exploreTargets("stress", fs.Args(), stderr)
	if !ok {
		return 2
	}
	// Ctrl-C (SIGINT) ends the run: the test under way stops early, and
	// the results so far are printed (exit 130).
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	cfg.ctx = ctx
	cfg.progress = newStressProgress(stderr, cfg, targets)
	out := &errWriter{w: stdout}
	var results []stressResult
	for _, tg := range targets {
		if ctx.Err() != nil {
			break
		}
		rep, err := cfg.run(tg)
		if err != nil && ctx.Err() != nil {
			break // interrupted while grading: nothing of this test ran
		}
		if err != nil {
			cfg.progress.done()
			fmt.Fprintf(stderr, "sabre stress: %v\n", err)
			return 2
		}
		results = append(results, stressResult{tg, rep})
		if !*asJSON {
			cfg.progress.clear()
			writeStressText(out, cfg, tg, rep)
		}
	}
	cfg.progress.done()
	if *asJSON {
		if err := writeStressJSON(out, results); err != nil {
			fmt.Fprintf(stderr, "sabre stress: %v\n", err)
			return 2
		}
	}
	if out.err != nil {
		fmt.Fprintf(stderr, "sabre stress: writing the results: %v\n", out.err)
		return 2
	}
	if ctx.Err() != nil {
		fmt.Fprintf(stderr, "sabre stress: interrupted after %s (the results so far are above)\n", plural(len(results), "test"))
		return 130
	}
	var lines []string
	forbidden, failed := 0, 0
	for _, r := range results {
		for _, row := range r.rep.Rows {
			if row.Grade == scenarios.Forbidden && !row.Expected {
				forbidden++
				lines = append(lines, fmt.Sprintf("%s under %s: FORBIDDEN %s (%d times, first at iteration %d): %s", r.tg.ref, r.rep.Model, row.Key, row.Count, row.First, row.Note))
			}
		}
		for _, f := range r.rep.Failures {
			if !f.Expected {
				failed++
				lines = append(lines, fmt.Sprintf("%s under %s: iteration %d failed: %s: %s", r.tg.ref, r.rep.Model, f.Iteration, f.Kind, oneLine(f.Message)))
			}
		}
	}
	if len(lines) == 0 {
		return 0
	}
	for _, l := range lines {
		fmt.Fprintln(stderr, l)
	}
	fmt.Fprintf(stderr, "sabre stress: %s, %s\n", plural(forbidden, "forbidden outcome"), plural(failed, "failed iteration"))
	return 1
}

// run stresses one test or scenario.
func (c *stressConfig) run(tg exploreTarget) (*scenarios.StressReport, error) {
	v, _ := model.VariantByName(c.model)
	c.progress.start(tg.ref)
	if tg.test != nil {
		n := c.iterationsFor(defaultStressLitmusIterations)
		rep, err := litmus.Stress(c.ctx, tg.test, c.model, litmus.StressOptions{
			Iterations: n, Duration: c.duration, SyncEvery: c.syncEvery, Affinity: c.affinity, GradeBudget: c.exploreBudget, Progress: c.progress.set})
		if err != nil {
			return nil, fmt.Errorf("%s: %s under %s: %w", tg.test.File, tg.test.Name, c.model, err)
		}
		return rep, nil
	}
	n := c.iterationsFor(defaultStressScenarioIterations)
	rep, err := scenarios.Stress(c.ctx, tg.sc, scenarios.StressOptions{
		Model: v, Iterations: n, Duration: c.duration, Sample: c.sample, Checks: c.checks, Jitter: c.jitter,
		ExploreBudget: c.exploreBudget, Progress: c.progress.set})
	if err != nil {
		return nil, fmt.Errorf("scenario %s under %s: %w", tg.ref, c.model, err)
	}
	return rep, nil
}

func checkNamesList() []string {
	var out []string
	for _, c := range checker.Checks {
		out = append(out, string(c))
	}
	return out
}

// iterationsFor is the iteration bound of a test whose default is def:
// 0 means none (--duration alone).
func (c *stressConfig) iterationsFor(def int) int {
	switch {
	case c.iterations < 0:
		return 0
	case c.iterations == 0:
		return def
	}
	return c.iterations
}

// writeStressText prints one test's graded histogram.
func writeStressText(w io.Writer, c *stressConfig, tg exploreTarget, rep *scenarios.StressReport) {
	bw := bufio.NewWriter(w)
	defer bw.Flush()
	kind, what := "Scenario", "outcome"
	if tg.test != nil {
		kind, what = "Litmus", "state"
	}
	verdict := "ok"
	if rep.Failed() {
		verdict = "FAILED"
	}
	var counts []string
	for _, g := range []scenarios.Grade{scenarios.Acceptable, scenarios.Interesting, scenarios.Forbidden, scenarios.Unknown} {
		if n := rep.Count(g); n > 0 || g != scenarios.Unknown {
			counts = append(counts, fmt.Sprintf("%s %d", g, n))
		}
	}
	fmt.Fprintf(bw, "%s %s under %s: %s in %.2fs (%.0f/s), %s: %s — %s\n", kind, tg.name(), rep.Model,
		plural(rep.Iterations, "iteration"), rep.Elapsed.Seconds(), rep.Rate(), plural(len(rep.Rows), "distinct "+what), strings.Join(counts, ", "), verdict)
	if g := rep.Grading; g != nil && g.Note != "" {
		fmt.Fprintf(bw, "  graded by %s\n", g.Note)
	}
	fmt.Fprintf(bw, "  %12s  %-11s  %s\n", "count", "grade", what)
	hidden, hiddenN := map[scenarios.Grade]int{}, 0
	for i, row := range rep.Rows {
		if c.maxRows > 0 && i >= c.maxRows && (row.Grade == scenarios.Acceptable || row.Grade == scenarios.Unknown) {
			hidden[row.Grade]++
			hiddenN += row.Count
			continue
		}
		mark := " "
		if row.Satisfies {
			mark = "*"
		}
		key := row.Key
		if key == "" {
			key = "(nothing reported, no memory)"
		}
		fmt.Fprintf(bw, "%s %12d  %-11s  %s\n", mark, row.Count, row.Grade, key)
		if row.Grade == scenarios.Forbidden {
			note := row.Note
			if row.Expected {
				note += " (expected: the scenario exists to show it)"
			}
			fmt.Fprintf(bw, "  %12s  first at iteration %d%s\n", "", row.First, prefixed(": ", oneLine(note)))
		}
	}
	if len(hidden) > 0 {
		var parts []string
		for _, g := range []scenarios.Grade{scenarios.Acceptable, scenarios.Unknown} {
			if hidden[g] > 0 {
				parts = append(parts, fmt.Sprintf("%d %s", hidden[g], g))
			}
		}
		fmt.Fprintf(bw, "  %12s  (and %d more %ss: %s, in %s; --max-rows 0 prints them)\n", "", hidden[scenarios.Acceptable]+hidden[scenarios.Unknown], what, strings.Join(parts, ", "), plural(hiddenN, "iteration"))
	}
	for _, f := range rep.Failures {
		exp := ""
		if f.Expected {
			exp = " (expected: the scenario exists to show it)"
		}
		fmt.Fprintf(bw, "  failure %s at iteration %d%s: %s\n", f.Kind, f.Iteration, exp, oneLine(f.Message))
	}
	if rep.Abandoned {
		fmt.Fprintf(bw, "  agents of the stalled iteration never ended: their goroutines were abandoned\n")
	}
}

func prefixed(pre, s string) string {
	if s == "" {
		return ""
	}
	return pre + s
}

// stressJSON is one test's result in --json output.
type stressJSON struct {
	Kind       string              `json:"kind"` // "litmus" or "scenario"
	Name       string              `json:"name"`
	File       string              `json:"file,omitempty"`
	Model      string              `json:"model"`
	Iterations int                 `json:"iterations"`
	Seconds    float64             `json:"seconds"`
	PerSecond  float64             `json:"per_second"`
	Affinity   bool                `json:"affinity"`
	Grading    stressGradingJSON   `json:"grading"`
	Counts     map[string]int      `json:"counts"`
	Outcomes   []stressRowJSON     `json:"outcomes"`
	Failures   []stressFailureJSON `json:"failures"`
	Abandoned  bool                `json:"abandoned,omitempty"`
	Failed     bool                `json:"failed"`
}

type stressGradingJSON struct {
	Allowed         int    `json:"allowed"`
	AllowedComplete bool   `json:"allowed_complete"`
	SC              int    `json:"sc"`
	SCComplete      bool   `json:"sc_complete"`
	Note            string `json:"note"`
}

type stressRowJSON struct {
	Outcome   string `json:"outcome"`
	Count     int    `json:"count"`
	Grade     string `json:"grade"`
	First     int    `json:"first_iteration"`
	Note      string `json:"note,omitempty"`
	Satisfies *bool  `json:"satisfies,omitempty"`
	Expected  bool   `json:"expected,omitempty"`
}

type stressFailureJSON struct {
	Kind      string `json:"kind"`
	Iteration int    `json:"iteration"`
	Message   string `json:"message"`
	Expected  bool   `json:"expected"`
}

func writeStressJSON(w io.Writer, results []stressResult) error {
	out := make([]stressJSON, 0, len(results))
	for _, r := range results {
		rep := r.rep
		j := stressJSON{Kind: "scenario", Name: r.tg.name(), Model: rep.Model, Iterations: rep.Iterations, Seconds: rep.Elapsed.Seconds(),
			PerSecond: rep.Rate(), Affinity: rep.Affinity, Counts: map[string]int{}, Outcomes: []stressRowJSON{}, Failures: []stressFailureJSON{},
			Abandoned: rep.Abandoned, Failed: rep.Failed()}
		if t := r.tg.test; t != nil {
			j.Kind, j.Name, j.File = "litmus", t.Name, t.File
		}
		if g := rep.Grading; g != nil {
			j.Grading = stressGradingJSON{len(g.Allowed), g.AllowedComplete, len(g.SC), g.SCComplete, g.Note}
		}
		for _, g := range []scenarios.Grade{scenarios.Acceptable, scenarios.Interesting, scenarios.Forbidden, scenarios.Unknown} {
			j.Counts[string(g)] = rep.Count(g)
		}
		for _, row := range rep.Rows {
			rj := stressRowJSON{Outcome: row.Key, Count: row.Count, Grade: string(row.Grade), First: row.First, Note: row.Note, Expected: row.Expected}
			if r.tg.test != nil {
				s := row.Satisfies
				rj.Satisfies = &s
			}
			j.Outcomes = append(j.Outcomes, rj)
		}
		for _, f := range rep.Failures {
			j.Failures = append(j.Failures, stressFailureJSON{string(f.Kind), f.Iteration, f.Message, f.Expected})
		}
		out = append(out, j)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

// stressProgress shows a progress bar on stderr when it is a terminal and
// the run has lasted more than a second; otherwise it does nothing. The bar
// exists from the start (so that its rate and times count from there), but
// writes nothing in the first second (gateWriter). Its methods may be
// called from any goroutine.
type stressProgress struct {
	mu      sync.Mutex
	on      bool // stderr is a terminal
	total   int  // iterations of the whole run (0: unknown: a duration bounds them)
	tests   int  // finished tests (the bar's unit when total is 0)
	before  int  // iterations of the finished tests
	cur     int  // iterations of the current test
	started bool
	bar     *progressbar.ProgressBar
}

// isTerminal reports whether w is a terminal; tests replace it.
var isTerminal = func(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// progressDelay is how long a run goes before its progress bar shows.
const progressDelay = time.Second

// gateWriter writes nothing until its time has come.
type gateWriter struct {
	w    io.Writer
	from time.Time
}

func (g *gateWriter) Write(p []byte) (int, error) {
	if time.Now().Before(g.from) {
		return len(p), nil
	}
	return g.w.Write(p)
}

func newStressProgress(w io.Writer, c *stressConfig, targets []exploreTarget) *stressProgress {
	p := &stressProgress{on: isTerminal(w)}
	if !p.on || len(targets) == 0 {
		p.on = false
		return p
	}
	for _, tg := range targets {
		n := c.iterationsFor(defaultStressScenarioIterations)
		if tg.test != nil {
			n = c.iterationsFor(defaultStressLitmusIterations)
		}
		if n <= 0 || p.total > math.MaxInt/2-n {
			// No count (a duration bounds the run), or one too large to
			// add up: count tests instead.
			p.total = 0
			break
		}
		p.total += n
	}
	// A known number of iterations, or else of tests: never the library's
	// spinner (for an unknown total), whose rendering goroutine races with
	// Clear.
	opts := []progressbar.Option{progressbar.OptionSetWriter(&gateWriter{w, time.Now().Add(progressDelay)}),
		progressbar.OptionShowCount(), progressbar.OptionThrottle(100 * time.Millisecond), progressbar.OptionSetWidth(30)}
	max := p.total
	if max == 0 {
		max = len(targets)
		opts = append(opts, progressbar.OptionSetItsString("tests"))
	} else {
		opts = append(opts, progressbar.OptionShowIts(), progressbar.OptionSetItsString("it"))
	}
	p.bar = progressbar.NewOptions(max, opts...)
	return p
}

// start notes that test name begins.
func (p *stressProgress) start(name string) {
	if p == nil || !p.on {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.started {
		p.tests++
	}
	p.started = true
	p.before += p.cur
	p.cur = 0
	p.bar.Describe(name)
	p.bar.Set(p.value())
}

// set reports that the current test has done n iterations.
func (p *stressProgress) set(n int) {
	if p == nil || !p.on {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.cur = n
	p.bar.Set(p.value())
}

// value is the bar's position: iterations done, or tests done.
func (p *stressProgress) value() int {
	if p.total == 0 {
		return p.tests
	}
	return p.before + p.cur
}

// clear removes the bar from the screen before results are printed (it is
// drawn again on the next update). It is called between tests, when no
// agent reports progress.
func (p *stressProgress) clear() {
	if p == nil || !p.on {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.bar.Clear()
}

// done removes the bar for good.
func (p *stressProgress) done() {
	if p == nil || !p.on {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.bar.Clear()
	p.bar.Exit()
	p.on = false
}

// checkStressRun checks the flags of a stress run that sabre stress and
// sabre run --mode stress share (--iterations, --duration,
// --explore-budget); "" when they are fine, else what is wrong.
func checkStressRun(fs *flag.FlagSet, iterations int, duration, exploreBudget time.Duration) string {
	switch {
	case iterations < 0:
		return fmt.Sprintf("--iterations %d is negative", iterations)
	case flagSet(fs, "iterations") && iterations == 0:
		return "--iterations 0 would run nothing (give a positive count, or --duration alone)"
	case duration < 0:
		return fmt.Sprintf("--duration %v is negative", duration)
	case exploreBudget <= 0:
		return fmt.Sprintf("--explore-budget %v is not positive", exploreBudget)
	}
	return ""
}
