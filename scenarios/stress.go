package scenarios

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"math"
	"math/rand/v2"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sabre-mm/sabre/atomics"
	"github.com/sabre-mm/sabre/checker"
	"github.com/sabre-mm/sabre/history"
	"github.com/sabre-mm/sabre/internal/affinity"
	"github.com/sabre-mm/sabre/model"
	"github.com/sabre-mm/sabre/shared"
)

// This file is the stress runner, in the manner of jcstress and litmus7: a
// scenario runs on real goroutines, with no controller, many times, and
// each outcome seen is graded against what the model allows.

// Grade is what the memory model says of an outcome a stress run saw
// (jcstress's grades).
type Grade string

// The grades.
const (
	// Acceptable: the model allows the outcome, and so does sequential
	// consistency (some interleaving produces it).
	Acceptable Grade = "ACCEPTABLE"
	// Interesting: the model allows the outcome, but no sequentially
	// consistent execution produces it: a weak behaviour the hardware (or
	// Go's compiler) showed.
	Interesting Grade = "INTERESTING"
	// Forbidden: the model does not allow the outcome (it is not in the
	// model's complete set of allowed outcomes), or the scenario's Check
	// or a Forbidden Expectation rejects it. A forbidden outcome fails the
	// run: it is a bug of the implementation (or of the model, or of the
	// scenario).
	Forbidden Grade = "FORBIDDEN"
	// Unknown: the exploration that grades outcomes was incomplete and did
	// not reach this outcome, and the scenario's Check and Expect do not
	// reject it: the model may or may not allow it. Not a failure.
	Unknown Grade = "UNKNOWN"
)

// Grading is what a stress run grades outcomes by: the outcomes the model
// allows and those sequential consistency allows, by key (Outcome.Key for
// a Go scenario; a litmus test's herd7 state text for its fast path), and
// whether each set is complete (every outcome allowed is in it).
//
// An outcome is Forbidden when Allowed is complete and does not hold it;
// else, when it is in Allowed, Interesting when SC is complete and does
// not hold it, and Acceptable otherwise (also when SC is incomplete and
// does not hold it: a weak behaviour is claimed only when it is proven);
// else (Allowed is incomplete) Unknown. A Go scenario's Check and Forbidden
// Expectations, which StressGrade applies on top, make an outcome they
// reject Forbidden whatever the sets say.
type Grading struct {
	Model           string
	Allowed         map[string]bool
	AllowedComplete bool
	SC              map[string]bool
	SCComplete      bool
	// Note says how the sets were made, and why one is incomplete.
	Note string
}

// Grade grades the outcome with key k by the sets alone.
func (g *Grading) Grade(k string) Grade {
	switch {
	case g == nil:
		return Unknown
	case g.Allowed[k]:
		if g.SCComplete && !g.SC[k] {
			return Interesting
		}
		return Acceptable
	case g.AllowedComplete:
		return Forbidden
	case g.SC[k]:
		return Acceptable // sequentially consistent: every model allows it
	}
	return Unknown
}

// StressOptions configure a stress run.
type StressOptions struct {
	// Model is the memory model outcomes are graded against; the zero
	// Variant means model.ES2024.
	Model model.Variant
	// Iterations bounds the run to that many iterations (executions of
	// the scenario); Duration to that running time (the iteration under
	// way finishes). With neither, DefaultStressIterations.
	Iterations int
	Duration   time.Duration
	// Jitter, if positive, makes each agent spin for a random number of
	// loop turns in [0, Jitter) after the start barrier, and yield its
	// processor (runtime.Gosched) one time in eight, so that the agents'
	// relative timing varies from iteration to iteration. Seed seeds it.
	Jitter int
	Seed   uint64
	// Affinity pins each agent of an iteration to its own processor
	// (agent i to the i-th processor of the process's affinity mask,
	// modulo their number) where the OS allows it (Linux:
	// sched_setaffinity on the agent's locked OS thread); elsewhere, or
	// if the call fails, the agents run where the Go scheduler puts them.
	Affinity bool
	// IterationTimeout (0: DefaultIterationTimeout) is the watchdog of one
	// iteration: agents not all ended by then are reported (a deadlock, a
	// lost wake-up or a livelock: FailDeadlock), every waiter on the
	// World's buffers is then notified, repeatedly for up to another
	// IterationTimeout, to unwind them, and the run ends; agents that do
	// not end even so are abandoned (StressReport.Abandoned).
	IterationTimeout time.Duration
	// MaxFailures ends the run after that many failed iterations (0: 1).
	MaxFailures int
	// Sample, if positive, records every Sample-th iteration (iterations
	// 0, Sample, 2·Sample, …) with a history.Recorder and runs the checks
	// on its history: checker.Conf (model conformance, under Model), the
	// scenario's Checks and Checks below. A check's Illegal verdict is a
	// failure (FailCheck) of that iteration; Unknown is counted
	// (StressReport.Undecided). Recording slows the agents down.
	Sample int
	Checks []checker.Check
	// CheckBudget bounds each check of a sampled history (0: 2 s).
	CheckBudget time.Duration
	// Grading, if not nil, grades the outcomes; otherwise StressGrade
	// makes one, with exhaustive explorations within ExploreBudget each
	// (0: DefaultExploreBudget).
	Grading       *Grading
	ExploreBudget time.Duration
	// Progress, if not nil, is called after each iteration with the
	// number of iterations done, from the goroutine running Stress.
	Progress func(done int)
}

// Defaults of StressOptions.
const (
	DefaultStressIterations = 10_000
	DefaultIterationTimeout = 2 * time.Second
	DefaultExploreBudget    = 10 * time.Second
)

// StressRow is one distinct outcome of a stress run.
type StressRow struct {
	// Key is the outcome's key (Outcome.Key; a litmus test's herd7
	// state text on its fast path).
	Key   string
	Count int
	Grade Grade
	// First is the iteration that first produced the outcome.
	First int
	// Note says why the outcome is graded so when the sets alone do not
	// (a Check's error, a Forbidden Expectation's name).
	Note string
	// Outcome is the first iteration's outcome (nil on the litmus fast
	// path).
	Outcome *Outcome `json:"-"`
	// Satisfies: the litmus test's condition holds in the outcome (litmus
	// fast path only).
	Satisfies bool `json:",omitempty"`
	// Expected: the outcome is Forbidden only by the scenario's Check or
	// Expect, and that failure is the one the scenario exists to show
	// (Scenario.Fails is FailCheck: a buggy example); it does not fail
	// the run.
	Expected  bool   `json:",omitempty"`
	checkNote string // a Check's or Expectation's rejection
}

// StressFailure is one failed iteration.
type StressFailure struct {
	Kind      FailureKind
	Message   string
	Iteration int
	Outcome   *Outcome `json:"-"`
	// Expected: the failure the scenario exists to show (Scenario.Fails).
	Expected bool
}

func (f *StressFailure) Error() string {
	return fmt.Sprintf("%s: %s (iteration %d)", f.Kind, f.Message, f.Iteration)
}

// StressReport is the result of a stress run.
type StressReport struct {
	Scenario string
	Model    string
	// Iterations run, and how long they took.
	Iterations int
	Elapsed    time.Duration
	// Rows are the distinct outcomes, most frequent first (then by key).
	Rows []StressRow
	// Failures are the failed iterations, in order.
	Failures []*StressFailure
	// Grading is what the outcomes were graded by.
	Grading *Grading `json:"-"`
	// Sampled histories checked, and checks Undecided (verdict Unknown)
	// among them.
	Sampled, Undecided int
	// Abandoned: agents of a stalled iteration never ended; their
	// goroutines are left behind.
	Abandoned bool
	// Affinity: agents were pinned to processors.
	Affinity bool
}

// Count returns the number of iterations whose outcome has grade g.
func (r *StressReport) Count(g Grade) int {
	n := 0
	for _, row := range r.Rows {
		if row.Grade == g {
			n += row.Count
		}
	}
	return n
}

// Failed reports whether the run failed: a Forbidden outcome, or a failed
// iteration that is not the scenario's expected failure.
func (r *StressReport) Failed() bool {
	for _, row := range r.Rows {
		if row.Grade == Forbidden && !row.Expected {
			return true
		}
	}
	return slices.ContainsFunc(r.Failures, func(f *StressFailure) bool { return !f.Expected })
}

// Rate is the iterations per second.
func (r *StressReport) Rate() float64 {
	if r.Elapsed <= 0 {
		return 0
	}
	return float64(r.Iterations) / r.Elapsed.Seconds()
}

// SortRows sorts rows most frequent first, then by key.
func SortRows(rows []StressRow) {
	slices.SortFunc(rows, func(a, b StressRow) int {
		if a.Count != b.Count {
			return b.Count - a.Count
		}
		return strings.Compare(a.Key, b.Key)
	})
}

// StressGrade makes the grading of sc's outcomes under model v: the
// outcomes of exhaustive explorations (Run, strategy Exhaustive) under v
// and under model.SC, each within budget (0: DefaultExploreBudget), with
// no limit on failures (a buggy scenario's failures do not cut them
// short). The outcomes of failed executions the model allows (a failed
// Check, an agent's error) are allowed outcomes too. A set is complete
// when its exploration is (Report.Complete).
func StressGrade(ctx context.Context, sc *Scenario, v model.Variant, budget time.Duration) (*Grading, error) {
	if budget <= 0 {
		budget = DefaultExploreBudget
	}
	if v == (model.Variant{}) {
		v = model.ES2024
	}
	g := &Grading{Model: v.Name()}
	var notes []string
	for _, m := range []model.Variant{v, model.SC} {
		rep, err := Run(ctx, sc, Options{Model: m, Strategy: Exhaustive(0), Duration: budget, MaxFailures: math.MaxInt32})
		if err != nil {
			return nil, err
		}
		set := map[string]bool{}
		for _, o := range rep.Outcomes {
			set[o.Key()] = true
		}
		complete := rep.Complete && rep.Stats.StepBudget == 0
		if m == v {
			g.Allowed, g.AllowedComplete = set, complete
		}
		if m == model.SC {
			g.SC, g.SCComplete = set, complete
		}
		what := fmt.Sprintf("exhaustive exploration under %s: %s, %s", m.Name(), plural(len(set), "outcome"), plural(rep.Stats.Executions, "execution"))
		if rep.Complete && !complete {
			what += fmt.Sprintf(" (incomplete: %d executions reached the step budget, %d steps; longer ones were not explored)", rep.Stats.StepBudget, stepBudget(sc))
		} else if !rep.Complete {
			what += " (incomplete: " + incompleteWhy(rep, budget) + ")"
		}
		notes = append(notes, what)
		if m == v && v == model.SC {
			break
		}
	}
	g.Note = strings.Join(notes, "; ")
	return g, nil
}

func stepBudget(sc *Scenario) int {
	if sc.MaxSteps > 0 {
		return sc.MaxSteps
	}
	return DefaultMaxSteps
}

func incompleteWhy(rep *Report, budget time.Duration) string {
	switch {
	case rep.Truncated:
		return "a read had more values than explored"
	case rep.Stats.Undecided > 0:
		return fmt.Sprintf("%d executions undecided by the model check", rep.Stats.Undecided)
	case rep.Stats.Elapsed >= budget:
		return fmt.Sprintf("budget of %v spent", budget)
	}
	return "cut short"
}

// Stress runs sc on real goroutines, with no controller, many times (see
// StressOptions), and reports the distinct outcomes seen, each graded
// (Grade), and the failed iterations. Each iteration builds its World
// with Setup on the calling goroutine (main), starts the agents, which
// wait at a start barrier so that they race, and joins them; its outcome
// holds the agents' reports, errors and operations (World.Call: so
// CheckLinearizable works on stressed iterations) and each buffer's final
// memory. Scenario.Check and the Forbidden Expectations are applied to
// every iteration's outcome (their failure is FailCheck, of that
// iteration; its outcome is graded Forbidden); an agent's error is
// FailAgent; agents still running at the watchdog are FailDeadlock
// (StressOptions.IterationTimeout). Expected outcomes not seen are not
// failures: stress samples.
//
// Errors are for bad arguments only (a nil scenario or Setup, a negative
// option, an invalid model); ctx's end stops the run early, reported.
func Stress(ctx context.Context, sc *Scenario, opt StressOptions) (*StressReport, error) {
	if sc == nil || sc.Setup == nil {
		return nil, errors.New("scenarios: Stress: a nil Scenario or Setup")
	}
	if ctx == nil {
		ctx = context.Background()
	}
	v := opt.Model
	if v == (model.Variant{}) {
		v = model.ES2024
	}
	if _, err := model.VariantByName(v.Name()); err != nil {
		return nil, fmt.Errorf("scenarios: Stress: %w", err)
	}
	if err := opt.validate(); err != nil {
		return nil, err
	}
	for i, e := range sc.Expect {
		if e.Match == nil {
			return nil, fmt.Errorf("scenarios: Stress: Scenario.Expect[%d] (%q) has no Match", i, e.Name)
		}
	}
	for _, c := range append(slices.Clone(sc.Checks), opt.Checks...) {
		if !c.Valid() {
			return nil, fmt.Errorf("scenarios: Stress: unknown check %q", c)
		}
	}
	opt.defaults()
	g := opt.Grading
	if g != nil && g.Model != "" && g.Model != v.Name() {
		return nil, fmt.Errorf("scenarios: Stress: the Grading was made under %s, the run is under %s", g.Model, v.Name())
	}
	if g == nil {
		var err error
		if g, err = StressGrade(ctx, sc, v, opt.ExploreBudget); err != nil {
			return nil, err
		}
	}
	r := &stressRunner{sc: sc, opt: &opt, variant: v, rng: rand.New(rand.NewPCG(opt.Seed, 0x5ab7e)), rows: map[string]*StressRow{}}
	rep := &StressReport{Scenario: sc.Name, Model: v.Name(), Grading: g}
	r.rep = rep
	start := time.Now()
	for it := 0; ; it++ {
		if opt.Iterations > 0 && it >= opt.Iterations || opt.Duration > 0 && time.Since(start) >= opt.Duration || ctx.Err() != nil {
			break
		}
		stop := r.iteration(ctx, it)
		rep.Iterations++
		if opt.Progress != nil {
			opt.Progress(rep.Iterations)
		}
		if stop || len(rep.Failures) >= opt.MaxFailures {
			break
		}
	}
	rep.Elapsed = time.Since(start)
	rep.Affinity = opt.Affinity && affinity.Supported()
	for _, row := range r.rows {
		row.Grade = g.Grade(row.Key)
		switch {
		case row.Grade == Forbidden:
			row.Note = "outside the model's allowed outcomes (" + g.Note + ")"
		case row.checkNote != "":
			row.Grade, row.Note = Forbidden, row.checkNote
			row.Expected = sc.Fails == FailCheck
		}
		rep.Rows = append(rep.Rows, *row)
	}
	SortRows(rep.Rows)
	return rep, nil
}

func (o *StressOptions) validate() error {
	switch {
	case o.Iterations < 0:
		return fmt.Errorf("scenarios: StressOptions.Iterations %d is negative", o.Iterations)
	case o.Duration < 0:
		return fmt.Errorf("scenarios: StressOptions.Duration %v is negative", o.Duration)
	case o.Jitter < 0:
		return fmt.Errorf("scenarios: StressOptions.Jitter %d is negative", o.Jitter)
	case o.IterationTimeout < 0:
		return fmt.Errorf("scenarios: StressOptions.IterationTimeout %v is negative", o.IterationTimeout)
	case o.MaxFailures < 0:
		return fmt.Errorf("scenarios: StressOptions.MaxFailures %d is negative", o.MaxFailures)
	case o.Sample < 0:
		return fmt.Errorf("scenarios: StressOptions.Sample %d is negative", o.Sample)
	case o.CheckBudget < 0:
		return fmt.Errorf("scenarios: StressOptions.CheckBudget %v is negative", o.CheckBudget)
	case o.ExploreBudget < 0:
		return fmt.Errorf("scenarios: StressOptions.ExploreBudget %v is negative", o.ExploreBudget)
	}
	return nil
}

func (o *StressOptions) defaults() {
	if o.Iterations == 0 && o.Duration == 0 {
		o.Iterations = DefaultStressIterations
	}
	if o.IterationTimeout == 0 {
		o.IterationTimeout = DefaultIterationTimeout
	}
	if o.MaxFailures == 0 {
		o.MaxFailures = 1
	}
	if o.CheckBudget == 0 {
		o.CheckBudget = 2 * time.Second
	}
}

// stressRunner is one stress run's state.
type stressRunner struct {
	sc      *Scenario
	opt     *StressOptions
	variant model.Variant
	rng     *rand.Rand
	rows    map[string]*StressRow
	rep     *StressReport
}

// stressWorld is the part of a World peculiar to one stress iteration.
type stressWorld struct {
	mu      sync.Mutex
	values  map[string]int64
	buffers []namedBuffer
	late    string // a World method called after Setup
}

func (s *stressWorld) report(key string, v int64) {
	s.mu.Lock()
	s.values[key] = v
	s.mu.Unlock()
}

func (s *stressWorld) lateCall(what string) {
	s.mu.Lock()
	if s.late == "" {
		s.late = fmt.Sprintf("World.%s was called after Setup returned (from an agent?): the World is built by Setup only", what)
	}
	s.mu.Unlock()
}

func (s *stressWorld) addBuffer(name string, b *shared.Buffer) bool {
	for _, nb := range s.buffers {
		if nb.name == name {
			return false
		}
	}
	s.buffers = append(s.buffers, namedBuffer{name, b})
	return true
}

// startBarrier makes the agents of an iteration start together: each
// arrives and spins (yielding now and then, for GOMAXPROCS smaller than
// the number of agents) until all have.
type startBarrier struct {
	n       int32
	arrived atomic.Int32
}

func (b *startBarrier) wait() {
	b.arrived.Add(1)
	for spins := 0; b.arrived.Load() < b.n; spins++ {
		if spins&63 == 63 {
			runtime.Gosched()
		}
	}
}

// iteration runs iteration it; it reports whether the run must end (a
// stall, or a setup failure: every iteration would fail the same way).
func (r *stressRunner) iteration(ctx context.Context, it int) (stop bool) {
	sc, opt := r.sc, r.opt
	st := &stressWorld{values: map[string]int64{}}
	main := shared.NewAgent("main")
	w := &World{st: st, main: main, ops: &opLog{}}
	sampled := opt.Sample > 0 && it%opt.Sample == 0
	var rec *history.Recorder
	if sampled {
		rec = history.NewRecorder()
		main.SetRecorder(rec)
		defer main.SetRecorder(nil)
	}
	fail := func(kind FailureKind, msg string, o *Outcome) {
		f := &StressFailure{Kind: kind, Message: msg, Iteration: it, Outcome: o}
		f.Expected = sc.Fails != "" && kind == sc.Fails
		r.rep.Failures = append(r.rep.Failures, f)
	}
	if err := stressSetup(sc, w); err != nil {
		fail(FailSetup, err.Error(), nil)
		return true
	}
	w.sealed = true

	// Start the agents behind the barrier; each draws its jitter here, on
	// main's goroutine (the generator is not safe for concurrent use).
	bar := &startBarrier{n: int32(len(w.agents))}
	hs := make([]*shared.Handle, len(w.agents))
	for i, d := range w.agents {
		f, jitter, yield := d.f, 0, false
		if opt.Jitter > 0 {
			jitter, yield = r.rng.IntN(opt.Jitter), r.rng.IntN(8) == 0
		}
		pin := opt.Affinity
		hs[i] = main.Start(d.name, func(a *shared.Agent) error {
			if pin {
				defer affinity.Pin(i)()
			}
			bar.wait()
			if yield {
				runtime.Gosched()
			}
			spin(jitter)
			return f(a)
		})
	}
	errs := map[string]string{}
	deadline, cancel := context.WithTimeout(ctx, opt.IterationTimeout)
	defer cancel()
	var stuck []string
	for i, h := range hs {
		err := h.JoinContext(deadline, main)
		if deadline.Err() != nil && err != nil && errors.Is(err, deadline.Err()) {
			stuck = append(stuck, w.agents[i].name)
			continue
		}
		if err != nil {
			errs[w.agents[i].name] = err.Error()
		}
	}
	if len(stuck) > 0 {
		// A run cancelled mid-iteration is not a deadlock: the iteration
		// is dropped (not counted, no outcome), its agents unwound.
		if ctx.Err() == nil {
			fail(FailDeadlock, fmt.Sprintf("agent(s) %s did not end within %v (StressOptions.IterationTimeout): blocked forever (a deadlock, a lost wake-up) or looping (a livelock)", strings.Join(stuck, ", "), opt.IterationTimeout), nil)
		}
		r.rep.Abandoned = !r.unwind(st, hs, main)
		return true
	}
	st.mu.Lock()
	late := st.late
	values := maps.Clone(st.values)
	st.mu.Unlock()
	mem := map[string][]byte{}
	for _, nb := range st.buffers {
		mem[nb.name] = nb.b.Bytes()
	}
	w.ops.mu.Lock()
	ops := slices.Clone(w.ops.ops)
	w.ops.mu.Unlock()
	o := &Outcome{Values: values, Memory: mem, Errors: errs, Operations: ops}
	if late != "" {
		fail(FailSetup, late, o)
		return true
	}
	key := o.Key()
	row := r.rows[key]
	if row == nil {
		row = &StressRow{Key: key, First: it, Outcome: o}
		r.rows[key] = row
	}
	row.Count++
	if len(errs) > 0 {
		names := sortedKeys(errs)
		fail(FailAgent, fmt.Sprintf("agent %s: %s", names[0], errs[names[0]]), o)
	}
	if kind, msg := r.judge(o); msg != "" {
		if row.checkNote == "" {
			row.checkNote = msg
		}
		fail(kind, msg, o)
	}
	if sampled {
		main.SetRecorder(nil)
		o.rec, o.hist = rec, rec.History()
		r.checkHistory(ctx, o, fail)
	}
	return false
}

// judge applies the scenario's Check and Forbidden expectations to o.
func (r *stressRunner) judge(o *Outcome) (FailureKind, string) {
	if r.sc.Check != nil {
		if err := check(r.sc.Check, o); err != nil {
			return FailCheck, err.Error()
		}
	}
	for _, e := range r.sc.Expect {
		if !e.Forbidden {
			continue
		}
		if msg := forbiddenReached(e, o); msg != "" {
			return FailCheck, msg
		}
	}
	return "", ""
}

// checkHistory runs the checks on a sampled iteration's history.
func (r *stressRunner) checkHistory(ctx context.Context, o *Outcome, fail func(FailureKind, string, *Outcome)) {
	checks := []checker.Check{checker.Conf}
	for _, c := range append(slices.Clone(r.sc.Checks), r.opt.Checks...) {
		if !slices.Contains(checks, c) {
			checks = append(checks, c)
		}
	}
	r.rep.Sampled++
	res, err := checker.Run(ctx, o.hist, checks, checker.Options{Model: r.variant, Budget: r.opt.CheckBudget})
	if err != nil {
		fail(FailInternal, "the recorded history does not check: "+err.Error(), o)
		return
	}
	for _, c := range res {
		switch c.Verdict {
		case checker.Illegal:
			fail(FailCheck, fmt.Sprintf("%s on the recorded history: %s", c.Check, c.Reason), o)
		case checker.Unknown:
			r.rep.Undecided++
		}
	}
}

// unwind tries to end a stalled iteration's agents: it notifies every
// waiter on every 4-byte-aligned location of the World's buffers, again
// and again, for up to IterationTimeout. It reports whether every agent
// ended.
func (r *stressRunner) unwind(st *stressWorld, hs []*shared.Handle, main *shared.Agent) bool {
	st.mu.Lock()
	bufs := slices.Clone(st.buffers)
	st.mu.Unlock()
	end := time.Now().Add(r.opt.IterationTimeout)
	for {
		for _, nb := range bufs {
			v, err := shared.NewLengthTrackingArray(nb.b.For(main), shared.Int32, 0)
			if err != nil {
				continue
			}
			for i := range v.Length() {
				atomics.Notify(v, i, math.MaxInt32)
			}
		}
		done := true
		for _, h := range hs {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
			if err := h.JoinContext(ctx, nil); err != nil && ctx.Err() != nil {
				done = false
			}
			cancel()
		}
		if done {
			return true
		}
		if time.Now().After(end) {
			return false
		}
	}
}

// stressSetup runs Setup, turning a panic into an error, and the World's
// own setup errors into one.
func stressSetup(sc *Scenario, w *World) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("Setup panicked: %v", p)
		}
	}()
	err = sc.Setup(w)
	if err != nil || w.err != nil {
		return errors.Join(err, w.err)
	}
	return nil
}

// spin turns a loop n times (jitter), doing nothing the compiler can drop.
func spin(n int) {
	var x uint32
	for i := 0; i < n; i++ {
		x = x*1664525 + 1013904223
	}
	spinSink.Store(x)
}

var spinSink atomic.Uint32

// plural is "1 word" or "n words".
func plural(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}
