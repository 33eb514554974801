// Package workload runs small, real concurrent workloads through packages
// shared and atomics with a history.Recorder attached, and returns what
// was recorded: the histories on which sabre's checkers are shown to hold on
// the real core and to fail on its mutants (internal/mutant; issue 7,
// "Mutants: every check must be shown to fail").
//
// Each Case targets one mutant: it names the workload that exposes it, the
// workload's default Config, and a Symptom, a direct predicate on a history
// that says whether (and where) the history shows that mutant's fault.
// Symptoms are exact for the real core — no history of the real code shows
// one — so a test can repeat a workload under a mutant until its symptom
// shows, before any checker exists. They are not checkers: each knows only
// its own workload's shape.
//
// Every workload coordinates its agents only through recorded operations
// (atomics, Queue, agent start and join), so the history holds every
// synchronisation there was; it bounds every spin and gives every blocking
// operation a timeout, so that it terminates under every mutant.
//
// # Index
//
//   - Config (Agents, Iterations, Seed; With), Case (Name, Mutant, Run,
//     Default, Symptom; Expose), Cases, ForMutant, ErrNoMutants.
//   - The workloads, func(Config) (*history.History, error): SubWordCounters,
//     Tearing64, CASLoop, WaitNotify, StaleLoad, QueueContention,
//     MessagePassing, StaleMessage.
//   - The symptoms, func(*history.History) (string, bool): LostUpdate,
//     TornRead, ReadOfFailedCAS, NotifyNotFIFO, LostWakeup, StaleRead,
//     DroppedItem, MissingSynchronizesWith, StaleAfterSync.
//   - Large generators for benchmarks: Random (Agents, Locations, Ops,
//     Plain, Seed; Run), Atomics8x1000, AtomicsHot, Mixed4.
//
// The command gentestdata writes checker/testdata/<case>-ok.jsonl and
// <case>-bad.jsonl for every case (TestTestdataPairs checks them):
//
//	go run -tags sabre_mutants ./internal/workload/gentestdata
//
// # Mutants in tests
//
// With the build tag sabre_mutants, Case.Expose puts the case's mutant in
// force and repeats the workload until the symptom shows; a checker's
// mutant table runs it and asserts that the checker rejects the history:
//
//	for _, c := range workload.Cases() {
//		t.Run("Mutant/"+string(c.Mutant), func(t *testing.T) {
//			h, runs, symptom, err := c.Expose(workload.Config{}, 200)
//			…
//		})
//	}
//
// A mutant is in force process-wide: such tests must not run in parallel
// with tests that expect the real core.
package workload

import (
	"errors"
	"fmt"

	"github.com/sabre-mm/sabre/history"
	"github.com/sabre-mm/sabre/internal/mutant"
	"github.com/sabre-mm/sabre/shared"
)

// Config parameterises a workload. Zero fields take the Case's default
// (Config.With fills them).
type Config struct {
	// Agents is the number of concurrent agents the workload starts (each
	// workload's doc says how it divides them into roles).
	Agents int
	// Iterations is the number of operations (or rounds) per agent.
	Iterations int
	// Seed seeds the workload's choices (values, elements, orders).
	Seed uint64
}

// With returns c with its zero fields taken from def.
func (c Config) With(def Config) Config {
	if c.Agents == 0 {
		c.Agents = def.Agents
	}
	if c.Iterations == 0 {
		c.Iterations = def.Iterations
	}
	if c.Seed == 0 {
		c.Seed = def.Seed
	}
	return c
}

// Case is a workload and the mutant it exposes.
type Case struct {
	// Name is the case's name as checker/testdata files use it
	// ("<Name>-ok.jsonl", "<Name>-bad.jsonl").
	Name string
	// Mutant is the mutant whose fault the workload exposes.
	Mutant mutant.Mutant
	// Run runs the workload (zero Config fields: Default's) and returns
	// its history; an error for a Config it cannot run, or if an operation
	// failed.
	Run func(Config) (*history.History, error)
	// Default is the workload's default Config.
	Default Config
	// Symptom reports whether h shows Mutant's fault, and where, in words
	// (it names the events). It is false for every history of the real
	// code; a nil or foreign history is simply false.
	Symptom func(h *history.History) (string, bool)
}

// Cases returns the cases, one per mutant, in mutant.All's order.
func Cases() []Case {
	return []Case{
		{"subword-rmw", mutant.SubWordRMWLoadStore, SubWordCounters, subWordDefault, LostUpdate},
		{"store64-halves", mutant.Store64Halves, Tearing64, tearingDefault, TornRead},
		{"cas-writes-on-failure", mutant.CASWritesOnFailure, CASLoop, casDefault, ReadOfFailedCAS},
		{"notify-newest-first", mutant.NotifyNewestFirst, WaitNotify, waitDefault, NotifyNotFIFO},
		{"notify-loses-wakeup", mutant.NotifyLosesWakeup, WaitNotify, waitDefault, LostWakeup},
		{"load-stale", mutant.LoadStale, StaleLoad, staleDefault, StaleRead},
		{"queue-drops-item", mutant.QueueDropsItem, QueueContention, queueDefault, DroppedItem},
		{"store-not-seqcst", mutant.StoreNotSeqCst, MessagePassing, passingDefault, MissingSynchronizesWith},
		{"plain-load-stale", mutant.PlainLoadStale, StaleMessage, staleMsgDefault, StaleAfterSync},
	}
}

// ErrNoMutants is Case.Expose's error in a build without the tag
// sabre_mutants, where no mutant can be put in force.
var ErrNoMutants = errors.New("workload: built without the build tag sabre_mutants: no mutant can be put in force")

// ForMutant returns the case that targets m, and false if none does.
func ForMutant(m mutant.Mutant) (Case, bool) {
	for _, c := range Cases() {
		if c.Mutant == m {
			return c, true
		}
	}
	return Case{}, false
}

// session is one recorded run: a main agent with the recorder attached
// (agents it starts inherit it).
type session struct {
	rec  *history.Recorder
	main *shared.Agent
}

func newSession(name string) *session {
	s := &session{rec: history.NewRecorder(), main: shared.NewAgent(name)}
	s.main.SetRecorder(s.rec)
	return s
}

// buffer makes a shared buffer of n bytes created by main (its init event
// is recorded).
func (s *session) buffer(n int) (*shared.Buffer, error) {
	return shared.NewBuffer(n, shared.CreatedBy(s.main))
}

// view returns a view of kind over buf, and records any error in *err.
func view(buf *shared.Buffer, kind shared.Kind, offset, length int, err *error) *shared.TypedArray {
	if *err != nil {
		return nil
	}
	v, e := shared.NewTypedArray(buf, kind, offset, length)
	if e != nil {
		*err = e
	}
	return v
}

// run starts n agents named name 0 … name n-1, each running f with its
// index, and joins them all; it returns the first error.
func (s *session) run(n int, name string, f func(i int, me *shared.Agent) error) error {
	hs := make([]*shared.Handle, n)
	for i := range hs {
		hs[i] = s.main.Start(fmt.Sprintf("%s %d", name, i), func(me *shared.Agent) error { return f(i, me) })
	}
	var first error
	for _, h := range hs {
		if err := h.Join(s.main); err != nil && first == nil {
			first = err
		}
	}
	return first
}

// finish detaches the recorder and returns the history (with err, if any).
func (s *session) finish(err error) (*history.History, error) {
	s.main.SetRecorder(nil)
	if err != nil {
		return nil, err
	}
	return s.rec.History(), nil
}

// need returns an error unless every condition holds: the checks of a
// Config's fields.
func need(what string, ok bool) error {
	if ok {
		return nil
	}
	return fmt.Errorf("workload: %s", what)
}
