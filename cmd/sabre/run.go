package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"strings"

	"github.com/sabre-mm/sabre/js"
	"github.com/sabre-mm/sabre/model"
	"github.com/sabre-mm/sabre/scenarios"
)

func init() {
	register(command{
		name:    "run",
		summary: "run a JavaScript scenario file (sabre.agent, sabre.observe, sabre.forbid, …) under the explorer or in stress mode",
		run:     runRun,
	})
}

const runUsage = `usage: sabre run [--mode explore|stress] [--model NAME] [--strategy NAME]
                 [--budget N|D] [--seed S] [--depth D] [--replay STR|FILE]
                 [--max-failures N] [--iterations N] [--duration D]
                 [--explore-budget D] [--print] [--json] FILE.js

Runs a JavaScript scenario file (docs/js.md): its top-level code makes
SharedArrayBuffers and queues (sabre.queue) and declares agents
(sabre.agent(fn) or sabre.agent(name, fn)), each a goja runtime of its own
over the same shared memory; each agent reports what it saw with
sabre.observe({key: value}); sabre.forbid(pred), sabre.allow(pred) and
sabre.require(pred) judge the observed outcome o (o.agent.key, or o.key
when one agent observed key).

--mode explore (the default) runs the file under the controlled explorer
of package scenarios, as sabre explore runs a Go scenario: every JS
agent's shared access is a scheduling point, reads return what the model
(--model, default es2024; one of %s) allows, and every outcome and failure
is printed with a command that replays it:
    sabre run --model es2024 --replay '0*4.1=01000000' FILE.js
An outcome sabre.forbid matches, or sabre.require rejects, is a failure;
so is an agent's exception (with its file:line:col), a deadlock or a
livelock; an outcome sabre.allow names that a complete exploration never
reached is an "expect" failure. --strategy, --budget, --seed, --depth,
--replay and --max-failures are sabre explore's (defaults: exhaustive
%v, random and pct %d executions).

--mode stress runs the agents on real goroutines many times
(scenarios.Stress), as sabre stress runs a Go scenario, and prints a
histogram of outcomes graded ACCEPTABLE, INTERESTING, FORBIDDEN or
UNKNOWN against the model (by exhaustive explorations within
--explore-budget) and by the file's forbid and require. --iterations
(default %d) and --duration bound it.

--print shows what the agents print (print, console.log) on stderr.
--json prints the result as JSON.

Exit status: 0 when nothing failed and no outcome is FORBIDDEN; 1 when an
execution or iteration failed or an outcome is FORBIDDEN, each reported on
stderr; 2 on bad input (a bad flag, a missing file, a syntax error or a
top-level exception in the file, reported as FILE:LINE:COL).

Flags:
`

var runModes = []string{"explore", "stress"}

func runRun(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	fs.SetOutput(stderr)
	mode := fs.String("mode", "explore", "explore (the controlled explorer) or stress (real goroutines, graded)")
	modelName := fs.String("model", "es2024", "the memory model: "+strings.Join(model.VariantNames(), ", "))
	strategy := fs.String("strategy", "exhaustive", "explore's strategy: "+strings.Join(exploreStrategies, ", "))
	budget := fs.String("budget", "", "bound the exploration: `N` executions or a duration D")
	seed := fs.Uint64("seed", 1, "the seed of random and pct")
	depth := fs.Int("depth", 3, "pct's depth")
	replay := fs.String("replay", "", "replay the one execution this replay string, or failfile, describes")
	maxFailures := fs.Int("max-failures", 1, "end the exploration after this many failed executions")
	iterations := fs.Int("iterations", 0, fmt.Sprintf("stress iterations (default %d)", defaultStressScenarioIterations))
	duration := fs.Duration("duration", 0, "bound the stress run's time (0: none)")
	exploreBudget := fs.Duration("explore-budget", scenarios.DefaultExploreBudget, "stress: time for each grading exploration")
	printOut := fs.Bool("print", false, "show what the agents print on stderr")
	asJSON := fs.Bool("json", false, "print the result as JSON")
	fs.Usage = func() {
		fmt.Fprintf(stderr, runUsage, strings.Join(model.VariantNames(), ", "), defaultExhaustiveDuration, defaultSampledExecutions, defaultStressScenarioIterations)
		fs.PrintDefaults()
	}
	if err := parseInterspersed(fs, args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	bad := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "sabre run: "+format+"\n", a...)
		return 2
	}
	if !slices.Contains(runModes, *mode) {
		return bad("unknown mode %q (want explore or stress)", *mode)
	}
	v, err := model.VariantByName(*modelName)
	if err != nil {
		return bad("unknown model %q (want one of %s)", *modelName, strings.Join(model.VariantNames(), ", "))
	}
	if fs.NArg() != 1 {
		return bad("want one FILE.js, got %d arguments", fs.NArg())
	}
	file := fs.Arg(0)
	explores := []string{"strategy", "budget", "seed", "depth", "replay", "max-failures"}
	stresses := []string{"iterations", "duration", "explore-budget"}
	for _, f := range stresses {
		if *mode == "explore" && flagSet(fs, f) {
			return bad("--%s applies to --mode stress", f)
		}
	}
	for _, f := range explores {
		if *mode == "stress" && flagSet(fs, f) {
			return bad("--%s applies to --mode explore", f)
		}
	}

	// The exploration's configuration, checked as sabre explore checks it.
	cfg := &exploreConfig{strategy: *strategy, seed: *seed, depth: *depth, maxFailures: *maxFailures}
	if *mode == "explore" {
		m, msg := cfg.check(fs, *replay, *budget, *modelName)
		if msg != "" {
			return bad("%s", msg)
		}
		if m != "" {
			v, _ = model.VariantByName(m)
		}
	} else {
		if msg := checkStressRun(fs, *iterations, *duration, *exploreBudget); msg != "" {
			return bad("%s", msg)
		}
	}

	var jopts js.ScenarioOptions
	if *printOut {
		jopts.Print = stderr
	}
	sc, err := js.ScenarioFile(file, jopts)
	if err != nil {
		return bad("%v", err)
	}
	tg := exploreTarget{ref: file, sc: sc}
	if strings.HasPrefix(tg.ref, "-") {
		tg.ref = "./" + tg.ref
	}
	if *mode == "stress" {
		n := *iterations
		if n == 0 && *duration == 0 {
			n = defaultStressScenarioIterations
		}
		return runStressJS(stdout, stderr, tg, v, scenarios.StressOptions{Model: v, Iterations: n, Duration: *duration, ExploreBudget: *exploreBudget}, *asJSON)
	}
	return runExploreJS(stdout, stderr, cfg, tg, v, *asJSON)
}

// runReplayCommand is the command that replays schedule s of the file.
func runReplayCommand(m string, s scenarios.Schedule, tg exploreTarget) string {
	return fmt.Sprintf("sabre run --model %s --replay %s %s", m, quote(s.String()), shellQuote(tg.ref))
}

// runJSON is sabre run --mode explore --json's output.
type runJSON struct {
	File       string           `json:"file"`
	Scenario   string           `json:"scenario"`
	Model      string           `json:"model"`
	Strategy   string           `json:"strategy"`
	Complete   bool             `json:"complete"`
	Executions int              `json:"executions"`
	Outcomes   []runOutcomeJSON `json:"outcomes"`
	Failures   []runFailureJSON `json:"failures"`
	Failed     bool             `json:"failed"`
}

type runOutcomeJSON struct {
	Outcome string           `json:"outcome"`
	Values  map[string]int64 `json:"values"`
	Replay  string           `json:"replay"`
}

type runFailureJSON struct {
	Kind     string `json:"kind"`
	Message  string `json:"message"`
	Replay   string `json:"replay,omitempty"`
	Expected bool   `json:"expected,omitempty"`
}

func runExploreJS(stdout, stderr io.Writer, c *exploreConfig, tg exploreTarget, v model.Variant, asJSON bool) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	opt := c.options()
	opt.Model = v
	m := v.Name()
	rep, err := scenarios.Run(ctx, tg.sc, opt)
	if err != nil {
		fmt.Fprintf(stderr, "sabre run: %s under %s: %v\n", tg.ref, m, err)
		return 2
	}
	if err := c.checkReplay(rep, tg, m); err != nil {
		fmt.Fprintf(stderr, "sabre run: %v\n", err)
		return 2
	}
	var lines []string
	for _, f := range rep.Failures {
		if f.Expected {
			continue
		}
		l := fmt.Sprintf("%s under %s: %s: %s", tg.ref, m, f.Kind, oneLine(f.Message))
		if f.Execution >= 0 {
			l += "\n  replay: " + runReplayCommand(m, f.Schedule, tg)
		}
		lines = append(lines, l)
	}
	// Complete: every execution the model allows was covered (exhaustive,
	// or sc-drf on a scenario that checks races: scenarios.SCDRF).
	complete := rep.Complete && (c.strategy == "exhaustive" || c.strategy == "sc-drf")
	out := &errWriter{w: stdout}
	if asJSON {
		j := runJSON{File: tg.ref, Scenario: tg.sc.Name, Model: m, Strategy: c.strategyText(), Complete: complete,
			Executions: rep.Stats.Executions, Outcomes: []runOutcomeJSON{}, Failures: []runFailureJSON{}, Failed: len(lines) > 0}
		for _, o := range rep.Outcomes {
			j.Outcomes = append(j.Outcomes, runOutcomeJSON{o.Key(), o.Values, runReplayCommand(m, o.Schedule, tg)})
		}
		for _, f := range rep.Failures {
			fj := runFailureJSON{Kind: string(f.Kind), Message: f.Message, Expected: f.Expected}
			if f.Execution >= 0 {
				fj.Replay = runReplayCommand(m, f.Schedule, tg)
			}
			j.Failures = append(j.Failures, fj)
		}
		enc := json.NewEncoder(out)
		enc.SetIndent("", "  ")
		enc.Encode(j)
	} else {
		how := c.how(rep)
		bw := bufio.NewWriter(out)
		fmt.Fprintf(bw, "Scenario %s under %s: %s, %s (%s)\n", tg.sc.Name, m, plural(len(rep.Outcomes), "outcome"), plural(len(rep.Failures), "failure"), how)
		for _, o := range rep.Outcomes {
			k := o.Key()
			if k == "" {
				k = "(nothing observed, no memory)"
			}
			fmt.Fprintf(bw, "outcome %s\n", k)
			fmt.Fprintf(bw, "  replay: %s\n", runReplayCommand(m, o.Schedule, tg))
		}
		for _, f := range rep.Failures {
			what := "failure"
			if f.Expected {
				what = "expected failure"
			}
			fmt.Fprintf(bw, "%s %s: %s\n", what, f.Kind, oneLine(f.Message))
			if f.Execution >= 0 {
				fmt.Fprintf(bw, "  replay: %s\n", runReplayCommand(m, f.Schedule, tg))
			}
		}
		bw.Flush()
	}
	if out.err != nil {
		fmt.Fprintf(stderr, "sabre run: writing the results: %v\n", out.err)
		return 2
	}
	if ctx.Err() != nil {
		fmt.Fprintln(stderr, "sabre run: interrupted (the results so far are above)")
		return 130
	}
	if len(lines) == 0 {
		return 0
	}
	for _, l := range lines {
		fmt.Fprintln(stderr, l)
	}
	fmt.Fprintf(stderr, "sabre run: %s failed\n", plural(len(lines), "execution"))
	return 1
}

func runStressJS(stdout, stderr io.Writer, tg exploreTarget, v model.Variant, opt scenarios.StressOptions, asJSON bool) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	rep, err := scenarios.Stress(ctx, tg.sc, opt)
	if err != nil {
		fmt.Fprintf(stderr, "sabre run: %s under %s: %v\n", tg.ref, v.Name(), err)
		return 2
	}
	out := &errWriter{w: stdout}
	if asJSON {
		if err := writeStressJSON(out, []stressResult{{tg, rep}}); err != nil {
			fmt.Fprintf(stderr, "sabre run: %v\n", err)
			return 2
		}
	} else {
		writeStressText(out, &stressConfig{maxRows: defaultStressMaxRows}, tg, rep)
	}
	if out.err != nil {
		fmt.Fprintf(stderr, "sabre run: writing the results: %v\n", out.err)
		return 2
	}
	if ctx.Err() != nil {
		fmt.Fprintln(stderr, "sabre run: interrupted (the results so far are above)")
		return 130
	}
	var lines []string
	for _, row := range rep.Rows {
		if row.Grade == scenarios.Forbidden && !row.Expected {
			lines = append(lines, fmt.Sprintf("%s under %s: FORBIDDEN %s (%d times, first at iteration %d): %s", tg.ref, rep.Model, row.Key, row.Count, row.First, row.Note))
		}
	}
	for _, f := range rep.Failures {
		if !f.Expected {
			lines = append(lines, fmt.Sprintf("%s under %s: iteration %d failed: %s: %s", tg.ref, rep.Model, f.Iteration, f.Kind, oneLine(f.Message)))
		}
	}
	if len(lines) == 0 {
		return 0
	}
	for _, l := range lines {
		fmt.Fprintln(stderr, l)
	}
	return 1
}

// parseInterspersed parses args with fs, flags before or after the
// positional arguments (sabre run FILE.js --json), as sabre test262 takes
// them; "--" ends the flags. fs.Args() is then the positional arguments.
func parseInterspersed(fs *flag.FlagSet, args []string) error {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			break
		}
		if len(args) > len(rest) && args[len(args)-len(rest)-1] == "--" {
			pos = append(pos, rest...)
			break
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
	return fs.Parse(append([]string{"--"}, pos...))
}
