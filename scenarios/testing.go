package scenarios

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/sabre-mm/sabre/model"
	"pgregory.net/rapid"
)

// The flags Explore reads (registered on the default flag set, as rapid's
// are, so that `go test` accepts them), each with an environment variable
// that applies when the flag is not given.
var (
	flagStrategy = flag.String("sabre.strategy", "", "scenarios: exploration strategy: exhaustive, sc-drf, random, pct, rapid or replay (env SABRE_STRATEGY; default exhaustive)")
	flagBudget   = flag.String("sabre.budget", "", "scenarios: budget per exploration: a number of executions or a duration such as 30s (env SABRE_BUDGET)")
	flagSeed     = flag.Uint64("sabre.seed", 0, "scenarios: seed of the random and pct strategies (env SABRE_SEED; default 1)")
	flagDepth    = flag.Int("sabre.depth", 0, "scenarios: depth of the pct strategy (env SABRE_DEPTH; default 3)")
	flagReplay   = flag.String("sabre.replay", "", "scenarios: replay one schedule: a replay string or a failfile (env SABRE_REPLAY)")
	flagModel    = flag.String("sabre.model", "", "scenarios: memory model: es2024, es2017 or sc (env SABRE_MODEL; default es2024)")
)

// Default budgets of Explore: an exhaustive exploration stops after
// DefaultDuration (a test that needs more asks for it), random and pct
// run DefaultExecutions executions.
const (
	DefaultDuration   = 5 * time.Second
	DefaultExecutions = 1000
)

// setting returns the flag's value if it was given, else the environment
// variable's.
func setting(name, env string) string {
	given := false
	flag.Visit(func(f *flag.Flag) { given = given || f.Name == name })
	if given {
		return flag.Lookup(name).Value.String()
	}
	return os.Getenv(env)
}

// TB is the part of testing.TB that Explore uses.
type TB interface {
	Helper()
	Name() string
	Errorf(format string, args ...any)
	Logf(format string, args ...any)
	Fatalf(format string, args ...any)
}

// Explore explores sc in a test and fails the test for each failure, with
// a message that ends with the one line that replays it (and writes that
// replay under testdata/sabre/, as rapid writes its failfiles). Options
// left zero come from the flags -sabre.strategy, -sabre.budget,
// -sabre.seed, -sabre.depth, -sabre.replay and -sabre.model (or the
// environment variables SABRE_STRATEGY, SABRE_BUDGET, …), then from the
// defaults: exhaustive under es2024 for at most DefaultDuration; random and
// pct for DefaultExecutions executions with seed 1. -sabre.replay runs the
// one execution a replay string (or failfile) describes. The strategy
// rapid runs under rapid.Check, which shrinks a failing schedule. It
// returns the report (nil if the options were bad: then the test has
// failed).
func Explore(t TB, sc *Scenario, opt Options) *Report {
	t.Helper()
	opt, err := optionsFromSettings(opt)
	if err != nil {
		t.Fatalf("scenarios: %v", err)
		return nil
	}
	if opt.Strategy == nil && strings.EqualFold(strategyName(), "rapid") {
		return exploreRapid(t, sc, opt)
	}
	rep, err := Run(context.Background(), sc, opt)
	if err != nil {
		t.Fatalf("scenarios: %v", err)
		return nil
	}
	t.Logf("%s: %s under %s: %d executions (%d allowed, %d rejected, %d redundant), %d outcomes, complete %v, %v",
		rep.Scenario, rep.Strategy, rep.Model, rep.Stats.Executions, rep.Stats.Allowed, rep.Stats.Rejected, rep.Stats.Redundant,
		len(rep.Outcomes), rep.Complete, rep.Stats.Elapsed.Round(time.Millisecond))
	for _, f := range rep.Failures {
		if f.Kind == FailExpect {
			t.Errorf("%s: %s failure: %s", rep.Scenario, f.Kind, f.Message)
			continue
		}
		line := ReplayLine(t.Name(), rep.Model, f.Schedule)
		if f.Expected {
			t.Logf("%s: the expected %s failure, found in execution %d: %s\n%s", rep.Scenario, f.Kind, f.Execution, f.Message, line)
			continue
		}
		if path, err := writeFailfile(t.Name(), rep.Model, f); err == nil {
			line += "   (saved in " + path + ")"
		}
		t.Errorf("%s: %s failure in execution %d: %s\n%s", rep.Scenario, f.Kind, f.Execution, f.Message, line)
	}
	return rep
}

func strategyName() string { return setting("sabre.strategy", "SABRE_STRATEGY") }

// optionsFromSettings fills the options opt leaves zero from the flags,
// the environment and the defaults.
func optionsFromSettings(opt Options) (Options, error) {
	modelInCode := opt.Model != (model.Variant{})
	if !modelInCode {
		name := setting("sabre.model", "SABRE_MODEL")
		if name == "" {
			name = "es2024"
		}
		v, err := model.VariantByName(name)
		if err != nil {
			return opt, err
		}
		opt.Model = v
	}
	if opt.Executions == 0 && opt.Duration == 0 {
		if b := setting("sabre.budget", "SABRE_BUDGET"); b != "" {
			if n, err := strconv.Atoi(b); err == nil && n > 0 {
				opt.Executions = n
			} else if d, err := time.ParseDuration(b); err == nil && d > 0 {
				opt.Duration = d
			} else {
				return opt, fmt.Errorf("-sabre.budget %q: want a positive number of executions or a duration such as 30s", b)
			}
		}
	}
	if r := setting("sabre.replay", "SABRE_REPLAY"); r != "" {
		// A replay asked for wins over the strategy set in code: the
		// replay line of a failure must replay it.
		s, v, err := ReadReplay(r)
		if err != nil {
			return opt, err
		}
		if v != (model.Variant{}) && !modelInCode {
			opt.Model = v
		}
		opt.Strategy = Replay(s)
		opt.Executions, opt.Duration = 0, 0
		return opt, nil
	}
	if opt.Strategy != nil {
		return opt, nil
	}
	seed := uint64(1)
	if s := setting("sabre.seed", "SABRE_SEED"); s != "" {
		n, err := strconv.ParseUint(s, 10, 64)
		if err != nil {
			return opt, fmt.Errorf("-sabre.seed %q: want an unsigned integer", s)
		}
		seed = n
	}
	depth := 3
	if s := setting("sabre.depth", "SABRE_DEPTH"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			return opt, fmt.Errorf("-sabre.depth %q: want a positive integer", s)
		}
		depth = n
	}
	switch name := strings.ToLower(strategyName()); name {
	case "", "exhaustive", "sc-drf":
		opt.Strategy = Exhaustive(0)
		if name == "sc-drf" {
			opt.Strategy = SCDRF()
		}
		if opt.Executions == 0 && opt.Duration == 0 {
			opt.Duration = DefaultDuration
		}
	case "random", "pct":
		if name == "random" {
			opt.Strategy = Random(seed)
		} else {
			opt.Strategy = PCT(depth, seed)
		}
		if opt.Executions == 0 && opt.Duration == 0 {
			opt.Executions = DefaultExecutions
		}
	case "rapid":
	case "replay":
		return opt, fmt.Errorf("-sabre.strategy replay needs -sabre.replay")
	default:
		return opt, fmt.Errorf("-sabre.strategy %q: want exhaustive, sc-drf, random, pct, rapid or replay", name)
	}
	return opt, nil
}

// exploreRapid runs one execution per rapid test case, every choice a
// rapid draw: rapid shrinks a failure to a minimal schedule and keeps its
// failfile (under testdata/rapid/).
func exploreRapid(t TB, sc *Scenario, opt Options) *Report {
	rt, ok := t.(rapid.TB)
	if !ok {
		t.Fatalf("scenarios: the rapid strategy needs a *testing.T")
		return nil
	}
	total := &Report{Scenario: sc.Name, Strategy: "rapid", Model: opt.Model.Name()}
	if opt.Knowledge == nil {
		// What writes may write, learned by a fixed warm-up and frozen:
		// rapid's test cases must not depend on each other.
		opt.Knowledge = &Knowledge{}
		warm := opt
		warm.Strategy, warm.Executions, warm.Duration, warm.MaxFailures = Random(1), 200, 0, 1<<30
		if _, err := Run(context.Background(), sc, warm); err != nil {
			t.Fatalf("scenarios: %v", err)
			return nil
		}
	}
	opt.Knowledge.Freeze()
	seen := map[string]bool{}
	rapid.Check(rt, func(r *rapid.T) {
		o := opt
		strat := Rapid(r)
		o.Strategy, o.Executions, o.Duration = strat, 1, 0
		rep, err := Run(context.Background(), sc, o)
		if p := Panicked(strat); p != nil {
			panic(p) // rapid's end of the test case, raised on its goroutine
		}
		if err != nil {
			r.Fatalf("scenarios: %v", err)
		}
		total.Stats.Executions += rep.Stats.Executions
		total.Stats.Allowed += rep.Stats.Allowed
		total.Stats.Rejected += rep.Stats.Rejected
		for _, oc := range rep.Outcomes {
			if k := oc.Key(); !seen[k] {
				seen[k] = true
				total.Outcomes = append(total.Outcomes, oc)
			}
		}
		for _, f := range rep.Failures {
			r.Fatalf("%s: %s failure: %s\n%s", sc.Name, f.Kind, f.Message, ReplayLine(t.Name(), rep.Model, f.Schedule))
		}
	})
	return total
}

// ReplayLine is the command that replays schedule s of the test named
// test under model m.
func ReplayLine(test, m string, s Schedule) string {
	parts := strings.Split(test, "/")
	for i, p := range parts {
		parts[i] = "^" + regexp.QuoteMeta(p) + "$"
	}
	return fmt.Sprintf("replay: go test -run '%s' -sabre.model=%s -sabre.replay='%s'", strings.Join(parts, "/"), m, s)
}

// failfiles numbers the failfiles of this process.
var failfiles atomic.Int64

// FailDir is where Explore writes failfiles: testdata/sabre/<test>/.
var FailDir = filepath.Join("testdata", "sabre")

// writeFailfile saves a failure's replay as
// FailDir/<test>/<test>-<time>-<pid>-<n>.fail and returns its path.
func writeFailfile(test, m string, f *Failure) (string, error) {
	name := strings.NewReplacer("/", "_", "\\", "_", ":", "_", " ", "_").Replace(test)
	dir := filepath.Join(FailDir, name)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	path := filepath.Join(dir, fmt.Sprintf("%s-%s-%d-%d.fail", name, time.Now().Format("20060102150405"), os.Getpid(), failfiles.Add(1)))
	msg := strings.ReplaceAll(f.Message, "\n", " ")
	body := fmt.Sprintf("# sabre failfile: go test -run <test> -sabre.replay=%s\n# %s: %s\nmodel %s\nschedule %s\n", path, f.Kind, msg, m, f.Schedule)
	return path, os.WriteFile(path, []byte(body), 0o644)
}

// ReadReplay reads a replay: a replay string, or the path of a failfile
// (which names its model too; the zero Variant otherwise).
func ReadReplay(s string) (Schedule, model.Variant, error) {
	if st, err := os.Stat(s); err == nil && st.Mode().IsRegular() {
		if st.Size() > 64<<20 {
			return nil, model.Variant{}, fmt.Errorf("failfile %s: larger than 64 MiB", s)
		}
		data, err := os.ReadFile(s)
		if err != nil {
			return nil, model.Variant{}, err
		}
		var sched Schedule
		var v model.Variant
		found := false
		for i, line := range strings.Split(string(data), "\n") {
			line = strings.TrimSpace(line)
			switch {
			case line == "" || strings.HasPrefix(line, "#"):
			case strings.HasPrefix(line, "model "):
				if v, err = model.VariantByName(strings.TrimSpace(line[len("model "):])); err != nil {
					return nil, model.Variant{}, fmt.Errorf("failfile %s:%d: %w", s, i+1, err)
				}
			case strings.HasPrefix(line, "schedule "):
				if found {
					return nil, model.Variant{}, fmt.Errorf("failfile %s:%d: a second schedule line", s, i+1)
				}
				if sched, err = ParseSchedule(line[len("schedule "):]); err != nil {
					return nil, model.Variant{}, fmt.Errorf("failfile %s:%d: %w", s, i+1, err)
				}
				found = true
			default:
				return nil, model.Variant{}, fmt.Errorf("failfile %s:%d: want \"model NAME\" or \"schedule STRING\", not %q", s, i+1, line)
			}
		}
		if !found {
			return nil, model.Variant{}, fmt.Errorf("failfile %s: no schedule line", s)
		}
		return sched, v, nil
	}
	sched, err := ParseSchedule(s)
	if err != nil {
		return nil, model.Variant{}, fmt.Errorf("-sabre.replay: %w (not a file either)", err)
	}
	return sched, model.Variant{}, nil
}
