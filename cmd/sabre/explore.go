package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/sabre-mm/sabre/model"
	"github.com/sabre-mm/sabre/scenarios"
	"github.com/sabre-mm/sabre/scenarios/examples"
	"github.com/sabre-mm/sabre/scenarios/litmus"
)

func init() {
	register(command{
		name:    "explore",
		summary: "explore litmus tests and built-in scenarios with the controlled scheduler",
		run:     runExplore,
	})
}

const exploreUsage = `usage: sabre explore [--model NAME] [--strategy NAME] [--budget N|D] [--seed S]
                     [--depth D] [--replay STR|FILE] [--states] [--max-failures N]
                     [--list] [FILE|DIR|NAME ...]

Runs each litmus test or built-in Go scenario under the controlled explorer
(package scenarios): the agents run as goroutines one at a time, and a
strategy chooses who runs next and, for each read, which write it reads
from, as the memory model allows. Every execution is checked against the
model; only the executions it allows count.

Arguments: a litmus FILE, a DIR (every *.litmus file in it, sorted by
name), or the NAME of a built-in test: a litmus catalogue test ("MP+na") or
a Go scenario of package scenarios/examples. An argument that exists as a
path is a path. With none, the whole litmus catalogue runs, then every
built-in Go scenario. --list lists the built-in names.

Models: with --model only that model runs; without it every model runs
(%s) and each line is prefixed with the model's name, as in sabre litmus.

Strategies (--strategy):
  exhaustive  every execution the model allows, each execution graph once
              (the default)
  sc-drf      every sequentially consistent interleaving of the
              synchronizing operations (scenarios.SCDRF): complete only for
              a scenario that checks races and has none, under es2024 or
              sc (SC-DRF); litmus tests check no races, so it samples them
  random      random interleavings and weak reads, seeded by --seed
  pct         PCT of depth --depth, seeded by --seed
  replay      the one execution --replay describes (implied by --replay):
              a replay string, or a failfile that scenarios.Explore wrote
              under testdata/sabre/ (its model is the default of --model)
--budget bounds each test under each model: N executions, or a duration
such as 2s or 1m (the execution under way finishes). Defaults: exhaustive
%v (the whole catalogue takes seconds under the three models), random and
pct %d executions. --budget 0 lifts exhaustive's bound; random and pct
never end of themselves and need one. The same --seed explores the same
executions.

A litmus test prints herd7's line, as sabre litmus does,
    Observation <name> Always|Sometimes|Never <positive> <negative>
computed from the final states the explorer reached. When the exploration
is exhaustive and complete, the line is the model's: exactly sabre
litmus's. Otherwise it ends with a note:
    (not seen in N executions of random seed S)       random or pct, Never
    (K states seen in N executions of pct depth D seed S)   random or pct
    (incomplete after N executions: REASON; Never means not reached)
                                                      exhaustive, cut short
    (replay of one execution)
    (replay: the model forbids this execution)
A sampled Never means "not seen", not "forbidden"; positive and negative
count the states seen. --states prints herd7's States block with a replay
command after each state (the first execution that reached it); a replay
always prints it.

A built-in Go scenario prints a header line (outcomes, failures, how far
the exploration went), then each outcome (its reported values and final
memory, in the order reached) with a replay command.

Each failed execution (a deadlock, a livelock, an agent's error or panic,
a failed check, ...) is printed with its message and a one-line command
that replays it, as
    sabre explore --model es2024 --replay '0*4.1=01000000' FILE
A replay string (scenarios.ParseSchedule) lists the steps separated by
".": an agent's slot (0 is main, then the agents in the order started),
"N*K" for K steps of agent N, "N!" for a timeout, "N=HEX" for a read that
returns those bytes. An exploration stops after --max-failures failed
executions (default 1).

Exit status: 0 when nothing failed (an exploration cut short by its
budget is not a failure: its line says so); 1 when an execution failed or
an expectation ("expect <model>: ...") is refuted, each reported on stderr
(a sampled or incomplete exploration refutes only what the states seen
prove: a state satisfying the condition refutes Never, one not satisfying
it Always); 2 on bad input: a bad flag or flag value, an unknown model,
strategy or name, an unreadable or malformed litmus file, a malformed
replay string or one that does not fit the test.

Flags:
`

// Defaults of --budget.
const (
	// defaultExhaustiveDuration bounds an exhaustive exploration of one
	// test under one model: the whole catalogue takes a few seconds under
	// the three models, so a test that takes a minute is beyond what the
	// explorer was made for and is reported incomplete rather than run on.
	defaultExhaustiveDuration = time.Minute
	// defaultSampledExecutions is random's and pct's budget.
	defaultSampledExecutions = 1000
)

// builtinScenarios returns the built-in Go scenarios; tests replace it.
var builtinScenarios = examples.Catalogue

// exploreTarget is one test or scenario to explore.
type exploreTarget struct {
	ref  string       // what names it on a command line (a replay command)
	test *litmus.Test // a litmus test, or
	sc   *scenarios.Scenario
}

// name is what reports call the target: a scenario's Name (a JS
// scenario's sabre.config name, not its file), else its ref.
func (tg exploreTarget) name() string {
	if tg.sc != nil && tg.sc.Name != "" {
		return tg.sc.Name
	}
	return tg.ref
}

// exploreConfig is what the flags ask for.
type exploreConfig struct {
	strategy    string
	seed        uint64
	depth       int
	replay      scenarios.Schedule
	executions  int           // 0: none
	duration    time.Duration // 0: none
	maxFailures int
	states      bool
	prefixed    bool
}

var exploreStrategies = []string{"exhaustive", "sc-drf", "random", "pct", "replay"}

// check completes cfg from the exploration flags of fs (--strategy,
// --replay, --seed, --depth, --max-failures, --budget), as sabre explore
// and sabre run check them: it returns the failfile's model when --replay
// names a failfile recorded under a model and --model was not given (the
// caller takes it as if given), or a message saying what is wrong.
func (cfg *exploreConfig) check(fs *flag.FlagSet, replay, budget, modelName string) (replayModel, msg string) {
	bad := func(format string, a ...any) (string, string) { return "", fmt.Sprintf(format, a...) }
	if !slices.Contains(exploreStrategies, cfg.strategy) {
		return bad("unknown strategy %q (want one of %s)", cfg.strategy, strings.Join(exploreStrategies, ", "))
	}
	if flagSet(fs, "replay") {
		if flagSet(fs, "strategy") && cfg.strategy != "replay" {
			return bad("--replay replays one execution: it cannot be combined with --strategy %s", cfg.strategy)
		}
		cfg.strategy = "replay"
		s, m, err := readReplay(replay)
		if err != nil {
			return bad("--replay: %v", err)
		}
		cfg.replay = s
		if m != "" && !flagSet(fs, "model") {
			replayModel = m
		} else if m != "" && m != modelName {
			return bad("--replay: the failfile %s was recorded under %s, not --model %s", replay, m, modelName)
		}
	} else if cfg.strategy == "replay" {
		return bad("--strategy replay needs --replay STR, the replay string (or failfile) of the execution")
	}
	if flagSet(fs, "seed") && cfg.strategy != "random" && cfg.strategy != "pct" {
		return bad("--seed applies to random and pct, not to %s", cfg.strategy)
	}
	if flagSet(fs, "depth") && cfg.strategy != "pct" {
		return bad("--depth applies to pct, not to %s", cfg.strategy)
	}
	if cfg.depth < 1 {
		return bad("--depth %d is less than 1", cfg.depth)
	}
	if cfg.maxFailures < 1 {
		return bad("--max-failures %d is less than 1", cfg.maxFailures)
	}
	switch {
	case flagSet(fs, "budget") && cfg.strategy == "replay":
		return bad("--budget does not apply to a replay (one execution)")
	case flagSet(fs, "budget"):
		n, d, err := parseBudget(budget)
		if err != nil {
			return bad("--budget: %v", err)
		}
		if n == 0 && d == 0 && cfg.strategy != "exhaustive" && cfg.strategy != "sc-drf" {
			return bad("--budget 0 (no bound) would never end: %s does not end of itself", cfg.strategy)
		}
		cfg.executions, cfg.duration = n, d
	case cfg.strategy == "exhaustive" || cfg.strategy == "sc-drf":
		cfg.duration = defaultExhaustiveDuration
	case cfg.strategy == "random" || cfg.strategy == "pct":
		cfg.executions = defaultSampledExecutions
	}
	return replayModel, ""
}

// how says how far an exploration went, for a scenario's report line:
// complete (exhaustive or sc-drf), why not, or what it sampled.
func (c *exploreConfig) how(rep *scenarios.Report) string {
	switch {
	case rep.Complete && (c.strategy == "exhaustive" || c.strategy == "sc-drf"):
		return fmt.Sprintf("%s, complete: %s", c.strategy, plural(rep.Stats.Executions, "execution"))
	case c.strategy == "exhaustive":
		return "exhaustive, incomplete " + c.incompleteReason(rep)
	case c.strategy == "replay" && len(rep.Outcomes) == 0 && len(rep.Failures) == 0:
		return "replay: the model forbids this execution"
	case c.strategy == "replay":
		return "replay of one execution"
	}
	return fmt.Sprintf("%s: %s; an outcome not seen may exist", c.strategyText(), plural(rep.Stats.Executions, "execution"))
}

func runExplore(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("explore", flag.ContinueOnError)
	fs.SetOutput(stderr)
	modelName := fs.String("model", "", "run only this model: "+strings.Join(model.VariantNames(), ", "))
	strategy := fs.String("strategy", "exhaustive", "the strategy: "+strings.Join(exploreStrategies, ", "))
	budget := fs.String("budget", "", "bound each test under each model: `N` executions or a duration D (default: exhaustive "+defaultExhaustiveDuration.String()+", random and pct "+strconv.Itoa(defaultSampledExecutions)+" executions)")
	seed := fs.Uint64("seed", 1, "the seed of random and pct (the same seed explores the same executions)")
	depth := fs.Int("depth", 3, "pct's depth: the number of priority change points plus one (≥ 1)")
	replay := fs.String("replay", "", "replay the one execution this replay string, or failfile, describes (implies --strategy replay)")
	states := fs.Bool("states", false, "list each final state reached with a replay line (herd7's States block)")
	maxFailures := fs.Int("max-failures", 1, "end the exploration of a test under a model after this many failed executions")
	list := fs.Bool("list", false, "list the built-in litmus tests and Go scenarios and exit")
	fs.Usage = func() {
		fmt.Fprintf(stderr, exploreUsage, strings.Join(model.VariantNames(), ", "), defaultExhaustiveDuration, defaultSampledExecutions)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	bad := func(format string, a ...any) int {
		fmt.Fprintf(stderr, "sabre explore: "+format+"\n", a...)
		return 2
	}

	cfg := &exploreConfig{strategy: *strategy, seed: *seed, depth: *depth, maxFailures: *maxFailures, states: *states}
	m, msg := cfg.check(fs, *replay, *budget, *modelName)
	if msg != "" {
		return bad("%s", msg)
	}
	if m != "" {
		fs.Set("model", m) // the failfile's model, as if given
	}

	if *list {
		return listBuiltins(stdout, stderr)
	}

	models := model.VariantNames()
	cfg.prefixed = true
	if flagSet(fs, "model") {
		if _, err := model.VariantByName(*modelName); err != nil {
			return bad("unknown model %q (want one of %s)", *modelName, strings.Join(models, ", "))
		}
		models, cfg.prefixed = []string{*modelName}, false
	}

	targets, ok := exploreTargets("explore", fs.Args(), stderr)
	if !ok {
		return 2
	}
	if cfg.strategy == "replay" && len(targets) != 1 {
		return bad("--replay replays one execution of one test or scenario; the arguments name %d", len(targets))
	}

	var failed, refuted []string
	for _, tg := range targets {
		for _, m := range models {
			var r exploreResult
			var err error
			if tg.test != nil {
				r, err = exploreLitmus(stdout, cfg, tg, m)
			} else {
				r, err = exploreScenario(stdout, cfg, tg, m)
			}
			if err != nil {
				fmt.Fprintf(stderr, "sabre explore: %v\n", err)
				return 2
			}
			failed = append(failed, r.failed...)
			refuted = append(refuted, r.refuted...)
		}
	}
	if len(failed)+len(refuted) == 0 {
		return 0
	}
	for _, f := range refuted {
		fmt.Fprintln(stderr, f)
	}
	for _, f := range failed {
		fmt.Fprintln(stderr, f)
	}
	var parts []string
	if len(failed) > 0 {
		parts = append(parts, fmt.Sprintf("%d execution(s) failed", len(failed)))
	}
	if len(refuted) > 0 {
		parts = append(parts, fmt.Sprintf("%d expectation(s) failed", len(refuted)))
	}
	fmt.Fprintf(stderr, "sabre explore: %s\n", strings.Join(parts, ", "))
	return 1
}

// parseBudget reads --budget: a count of executions (a decimal integer) or
// a duration (time.ParseDuration); 0 is no bound.
func parseBudget(s string) (executions int, d time.Duration, err error) {
	if n, err := strconv.Atoi(s); err == nil {
		if n < 0 {
			return 0, 0, fmt.Errorf("%d executions is negative (0 means no bound)", n)
		}
		return n, 0, nil
	} else if errors.Is(err, strconv.ErrRange) {
		return 0, 0, fmt.Errorf("%q executions is out of range", s)
	}
	d, err = time.ParseDuration(s)
	if err != nil {
		return 0, 0, fmt.Errorf("%q is neither a number of executions nor a duration (as 2s or 1m)", s)
	}
	if d < 0 {
		return 0, 0, fmt.Errorf("%v is negative (0 means no bound)", d)
	}
	return 0, d, nil
}

// readReplay reads --replay: the path of a failfile (which may name its
// model: scenarios.ReadReplay), or else a replay string.
func readReplay(arg string) (s scenarios.Schedule, modelName string, err error) {
	if fi, err := os.Stat(arg); err == nil && fi.Mode().IsRegular() {
		s, v, err := scenarios.ReadReplay(arg)
		if err != nil {
			return nil, "", err
		}
		if v != (model.Variant{}) {
			modelName = v.Name()
		}
		return s, modelName, nil
	}
	s, err = scenarios.ParseSchedule(arg)
	return s, "", err
}

// exploreTargets resolves the arguments (all of them, reporting every bad
// one on stderr before anything runs). No argument: the litmus catalogue,
// then the built-in scenarios. Messages name the command cmd.
func exploreTargets(cmd string, args []string, stderr io.Writer) ([]exploreTarget, bool) {
	cat, err := litmus.CatalogueTests()
	if err != nil {
		fmt.Fprintf(stderr, "sabre %s: built-in catalogue: %v\n", cmd, err)
		return nil, false
	}
	scs := builtinScenarios()
	var out []exploreTarget
	if len(args) == 0 {
		for _, t := range cat {
			out = append(out, exploreTarget{ref: t.Name, test: t})
		}
		for _, sc := range scs {
			if sc == nil {
				fmt.Fprintf(stderr, "sabre %s: the built-in scenarios include a nil one\n", cmd)
				return nil, false
			}
			out = append(out, exploreTarget{ref: sc.Name, sc: sc})
		}
		return out, true
	}
	ok := true
	for _, a := range args {
		_, statErr := os.Stat(a)
		if statErr == nil || !errors.Is(statErr, fs.ErrNotExist) {
			ts, err := litmus.ParsePath(a)
			if err != nil {
				fmt.Fprintln(stderr, err)
				ok = false
				continue
			}
			for _, t := range ts {
				ref := t.File
				if strings.HasPrefix(ref, "-") {
					ref = "./" + ref // not a flag
				}
				out = append(out, exploreTarget{ref: ref, test: t})
			}
			continue
		}
		var found []exploreTarget
		for _, t := range cat {
			if t.Name == a {
				found = append(found, exploreTarget{ref: a, test: t})
			}
		}
		for _, sc := range scs {
			if sc != nil && sc.Name == a {
				found = append(found, exploreTarget{ref: a, sc: sc})
			}
		}
		switch len(found) {
		case 0:
			fmt.Fprintf(stderr, "%v, and no built-in test or scenario is named %q (sabre explore --list)\n", statErr, a)
			ok = false
		case 1:
			out = append(out, found[0])
		default:
			fmt.Fprintf(stderr, "sabre %s: %q names %d built-in tests or scenarios; give a path to a litmus file instead\n", cmd, a, len(found))
			ok = false
		}
	}
	return out, ok
}

// listBuiltins prints the built-in litmus tests and Go scenarios, one per
// line: kind, name, doc.
func listBuiltins(stdout, stderr io.Writer) int {
	cat, err := litmus.CatalogueTests()
	if err != nil {
		fmt.Fprintf(stderr, "sabre explore: built-in catalogue: %v\n", err)
		return 2
	}
	bw := bufio.NewWriter(stdout)
	defer bw.Flush()
	for _, t := range cat {
		fmt.Fprintln(bw, strings.TrimRight("litmus    "+t.Name+"  "+firstSentence(t.Doc), " "))
	}
	for _, sc := range builtinScenarios() {
		if sc != nil {
			fmt.Fprintln(bw, strings.TrimRight("scenario  "+sc.Name+"  "+firstSentence(sc.Doc), " "))
		}
	}
	return 0
}

// oneLine joins the lines of s, and its runs of spaces, with one space.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// firstSentence is oneLine(s) up to the end of its first sentence (a
// period followed by a space).
func firstSentence(s string) string {
	s = oneLine(s)
	if i := strings.Index(s, ". "); i >= 0 {
		return s[:i+1]
	}
	return s
}

// newStrategy returns a fresh strategy for one exploration.
func (c *exploreConfig) newStrategy() scenarios.Strategy {
	switch c.strategy {
	case "random":
		return scenarios.Random(c.seed)
	case "pct":
		return scenarios.PCT(c.depth, c.seed)
	case "replay":
		return scenarios.Replay(c.replay)
	case "sc-drf":
		return scenarios.SCDRF()
	}
	return scenarios.Exhaustive(0)
}

func (c *exploreConfig) options() scenarios.Options {
	return scenarios.Options{Strategy: c.newStrategy(), Executions: c.executions, Duration: c.duration, MaxFailures: c.maxFailures}
}

// strategyText names the strategy with its parameters: "random seed 1".
func (c *exploreConfig) strategyText() string {
	switch c.strategy {
	case "random":
		return fmt.Sprintf("random seed %d", c.seed)
	case "pct":
		return fmt.Sprintf("pct depth %d seed %d", c.depth, c.seed)
	}
	return c.strategy
}

// exploreResult is what one test under one model contributes to the exit
// status: failed executions and refuted expectations, as stderr lines.
type exploreResult struct {
	failed, refuted []string
}

// exhausted reports whether rep covers every execution the model allows.
func (c *exploreConfig) exhausted(rep *scenarios.Report) bool {
	return c.strategy == "exhaustive" && rep.Complete
}

// incompleteReason says why an exhaustive exploration is not complete:
// "after N executions: REASONS".
func (c *exploreConfig) incompleteReason(rep *scenarios.Report) string {
	var rs []string
	failed := 0
	for _, f := range rep.Failures {
		if f.Execution >= 0 {
			failed++
		}
	}
	if failed >= c.maxFailures {
		if c.maxFailures == 1 {
			rs = append(rs, "stopped at the first failure")
		} else {
			rs = append(rs, fmt.Sprintf("stopped at %d failures", failed))
		}
	}
	if c.executions > 0 && rep.Stats.Executions >= c.executions {
		rs = append(rs, fmt.Sprintf("budget of %s spent", plural(c.executions, "execution")))
	}
	if c.duration > 0 && rep.Stats.Elapsed >= c.duration {
		rs = append(rs, fmt.Sprintf("budget of %v spent", c.duration))
	}
	if rep.Truncated {
		rs = append(rs, "a read had more values than the 4,096 explored per read")
	}
	if u := rep.Stats.Undecided; u > 0 {
		rs = append(rs, fmt.Sprintf("%s undecided by the model check", plural(u, "execution")))
	}
	if len(rs) == 0 {
		rs = append(rs, "cut short")
	}
	return fmt.Sprintf("after %s: %s", plural(rep.Stats.Executions, "execution"), strings.Join(rs, ", "))
}

func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

// replayCommand is the one-line command that replays schedule s of tg
// under model m. The replay string is always quoted (its "*" and "!" are
// special to shells).
func replayCommand(m string, s scenarios.Schedule, tg exploreTarget) string {
	return fmt.Sprintf("sabre explore --model %s --replay %s %s", m, quote(s.String()), shellQuote(tg.ref))
}

// shellQuote quotes s for a POSIX shell unless it is made only of letters,
// digits and the punctuation marks _-+./:,@%.
func shellQuote(s string) string {
	safe := s != ""
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("_-+./:,@%", r)) {
			safe = false
			break
		}
	}
	if safe {
		return s
	}
	return quote(s)
}

// quote single-quotes s for a POSIX shell.
func quote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

// checkReplay turns a replay that does not fit the scenario into an error
// (bad input: exit status 2); nil otherwise.
func (c *exploreConfig) checkReplay(rep *scenarios.Report, tg exploreTarget, m string) error {
	if c.strategy != "replay" {
		return nil
	}
	for _, f := range rep.Failures {
		if f.Kind == scenarios.FailReplay {
			return fmt.Errorf("--replay does not fit %s under %s: %s", tg.ref, m, f.Message)
		}
	}
	return nil
}

// printFailures prints each failed execution with its replay command and
// returns the stderr lines that report them. A failure of the exploration
// rather than of one execution (an expected outcome never reached:
// scenarios.FailExpect) has no replay. A failure the scenario exists to
// show (Scenario.Fails: a buggy example's bug) is printed as expected and
// is not reported: finding it is the scenario's point.
func printFailures(w io.Writer, pre string, rep *scenarios.Report, tg exploreTarget, m string) []string {
	var lines []string
	for _, f := range rep.Failures {
		if f.Expected {
			fmt.Fprintf(w, "%sexpected failure %s (the scenario exists to show it): %s\n", pre, f.Kind, oneLine(f.Message))
			fmt.Fprintf(w, "%s  replay: %s\n", pre, replayCommand(m, f.Schedule, tg))
			continue
		}
		fmt.Fprintf(w, "%sfailure %s: %s\n", pre, f.Kind, oneLine(f.Message))
		if f.Execution < 0 {
			lines = append(lines, fmt.Sprintf("%s under %s: %s: %s", tg.ref, m, f.Kind, oneLine(f.Message)))
			continue
		}
		cmd := replayCommand(m, f.Schedule, tg)
		fmt.Fprintf(w, "%s  replay: %s\n", pre, cmd)
		lines = append(lines, fmt.Sprintf("%s under %s: %s: %s\n  replay: %s", tg.ref, m, f.Kind, oneLine(f.Message), cmd))
	}
	return lines
}

func (c *exploreConfig) prefix(m string) string {
	if c.prefixed {
		return fmt.Sprintf("%-*s", prefixWidth, m)
	}
	return ""
}

// exploreLitmus explores a litmus test under model m and prints its
// observation (and with --states its states), then its failures.
func exploreLitmus(stdout io.Writer, c *exploreConfig, tg exploreTarget, m string) (exploreResult, error) {
	var res exploreResult
	t := tg.test
	o, rep, err := litmus.Explore(context.Background(), t, m, c.options())
	if err != nil {
		return res, fmt.Errorf("%s: %s under %s: %w", t.File, t.Name, m, err)
	}
	if err := c.checkReplay(rep, tg, m); err != nil {
		return res, err
	}
	complete := c.exhausted(rep)
	note := ""
	switch {
	case complete:
	case c.strategy == "replay" && len(rep.Outcomes) == 0 && len(rep.Failures) == 0:
		note = " (replay: the model forbids this execution)"
	case c.strategy == "replay":
		note = " (replay of one execution)"
	case c.strategy == "exhaustive":
		note = fmt.Sprintf(" (incomplete %s; Never means not reached)", c.incompleteReason(rep))
	case o.Result == litmus.Never:
		note = fmt.Sprintf(" (not seen in %s of %s)", plural(rep.Stats.Executions, "execution"), c.strategyText())
	default:
		note = fmt.Sprintf(" (%s seen in %s of %s)", plural(len(o.States), "state"), plural(rep.Stats.Executions, "execution"), c.strategyText())
	}

	// The first schedule that reached each state, by the state's key.
	first := map[string]scenarios.Schedule{}
	for _, out := range rep.Outcomes {
		fs, err := t.FinalState(out)
		if err != nil {
			return res, err
		}
		if _, ok := first[fs.Key()]; !ok {
			first[fs.Key()] = out.Schedule
		}
	}
	pre := c.prefix(m)
	bw := bufio.NewWriter(stdout)
	defer bw.Flush()
	if c.states || c.strategy == "replay" {
		writeStatesBlock(bw, pre, o, func(i int) []string {
			if s, ok := first[o.States[i].Final.Key()]; ok {
				return []string{"  replay: " + replayCommand(m, s, tg)}
			}
			return nil
		})
	}
	fmt.Fprintf(bw, "%s%s%s\n", pre, o.Line(), note)
	res.failed = printFailures(bw, pre, rep, tg, m)
	if (c.states || c.strategy == "replay") && !c.prefixed {
		fmt.Fprintln(bw)
	}

	if exp, ok := o.Expectation(); ok && refutes(o, exp.Result, complete) {
		what := ""
		if !complete {
			what = " in the states seen"
		}
		res.refuted = append(res.refuted, fmt.Sprintf("%s: %s: expect %s: %s, got %s (%d positive, %d negative%s)",
			exp.Pos, t.Name, m, exp.Result, o.Result, o.Positive, o.Negative, what))
	}
	return res, nil
}

// refutes reports whether observation o contradicts the expectation exp:
// any difference when the states are all the model allows (complete);
// otherwise only what the states seen prove — a state satisfying the
// condition refutes Never, one not satisfying it refutes Always, and
// nothing refutes Sometimes (a state not seen may exist).
func refutes(o *litmus.Observation, exp litmus.Result, complete bool) bool {
	if complete {
		return exp != o.Result
	}
	switch exp {
	case litmus.Never:
		return o.Positive > 0
	case litmus.Always:
		return o.Negative > 0
	}
	return false
}

// exploreScenario explores a built-in Go scenario under model m and prints
// a header, its outcomes and its failures.
func exploreScenario(stdout io.Writer, c *exploreConfig, tg exploreTarget, m string) (exploreResult, error) {
	var res exploreResult
	v, err := model.VariantByName(m)
	if err != nil {
		return res, err
	}
	opt := c.options()
	opt.Model = v
	rep, err := scenarios.Run(context.Background(), tg.sc, opt)
	if err != nil {
		return res, fmt.Errorf("scenario %s under %s: %w", tg.ref, m, err)
	}
	if err := c.checkReplay(rep, tg, m); err != nil {
		return res, err
	}
	how := c.how(rep)
	pre := c.prefix(m)
	bw := bufio.NewWriter(stdout)
	defer bw.Flush()
	fmt.Fprintf(bw, "%sScenario %s: %s, %s (%s)\n", pre, tg.sc.Name, plural(len(rep.Outcomes), "outcome"), plural(len(rep.Failures), "failure"), how)
	for _, o := range rep.Outcomes {
		k := o.Key()
		if k == "" {
			k = "(nothing reported, no memory)"
		}
		fmt.Fprintf(bw, "%soutcome %s\n", pre, k)
		fmt.Fprintf(bw, "%s  replay: %s\n", pre, replayCommand(m, o.Schedule, tg))
	}
	res.failed = printFailures(bw, pre, rep, tg, m)
	return res, nil
}
