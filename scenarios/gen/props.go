package gen

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/sabre-mm/sabre/checker"
	"github.com/sabre-mm/sabre/history"
	"github.com/sabre-mm/sabre/model"
	"github.com/sabre-mm/sabre/scenarios"
)

// CheckBudget bounds each checker call of the outcome checks below; past
// it the verdict is Unknown, which they report as an error (a property
// never passes on an undecided check).
var CheckBudget = 10 * time.Second

// Conforms returns property 1 as a Scenario.Check: the outcome's history
// conforms to model v (checker.Conformance's verdict is Ok). The error
// gives the checker's reason and explanation.
func Conforms(v model.Variant) func(*scenarios.Outcome) error {
	return func(o *scenarios.Outcome) error {
		h, err := historyOf(o)
		if err != nil {
			return err
		}
		r, err := checker.Conformance(context.Background(), h, checker.Options{Model: v, Budget: CheckBudget})
		if err != nil {
			return fmt.Errorf("property 1 (conformance): checker.Conformance: %w", err)
		}
		if r.Verdict != checker.Ok {
			return fmt.Errorf("property 1 (conformance): the history does not conform to %s: %v: %s%s", v.Name(), r.Verdict, r.Reason, findings(r.Findings))
		}
		return nil
	}
}

func historyOf(o *scenarios.Outcome) (*history.History, error) {
	if o == nil {
		return nil, errors.New("gen: nil outcome")
	}
	h := o.History()
	if h == nil {
		return nil, errors.New("gen: the outcome has no history")
	}
	return h, nil
}

func findings(fs []checker.Finding) string {
	var b strings.Builder
	for i, f := range fs {
		if i == 5 {
			fmt.Fprintf(&b, "\n  … %d more", len(fs)-i)
			break
		}
		fmt.Fprintf(&b, "\n  %s", f.Message)
	}
	return b.String()
}

// AgentsHistory returns h without the main agent's final reads: the plain
// reads after the joins that read the final memory (scenarios.Outcome's
// Memory). They happen after everything, race with nothing, and are not
// the program's: property 2 checks the program's seq-cst accesses, and
// checker.Linearizability skips every memory component a plain access
// touches.
func AgentsHistory(h *history.History) *history.History {
	if h == nil {
		return nil
	}
	main := -1
	for _, e := range h.Events {
		if e.Kind == history.EvAgentJoin {
			main = e.Agent
		}
	}
	out := &history.History{Buffers: h.Buffers}
	for _, e := range h.Events {
		if e.Agent == main && e.Kind == history.EvRead && e.Order == model.Unordered {
			continue
		}
		out.Events = append(out.Events, e)
	}
	return out
}

// Linearizable returns property 2 as a Scenario.Check: the history of an
// outcome whose accesses are all seq-cst (its AgentsHistory) is
// linearizable (checker.Linearizability's verdict is Ok, with no memory
// component skipped). A history with a plain access, or with seq-cst
// accesses that overlap without equal ranges, is an error: the property is
// about seq-cst programs whose accesses of each byte have equal ranges.
// (Mixed-size seq-cst accesses do not synchronize, and es2024 allows them
// outcomes no interleaving gives — catalogue Tear+overlap+sc — so the
// property does not hold for them: the long form found such a history
// after 8,519 programs, before the generator kept SeqCst views to one
// element size.)
func Linearizable() func(*scenarios.Outcome) error {
	return func(o *scenarios.Outcome) error {
		h, err := historyOf(o)
		if err != nil {
			return err
		}
		return linearizable(h)
	}
}

// linearizable is property 2 on a history.
func linearizable(h *history.History) error {
	h = AgentsHistory(h)
	for i, e := range h.Events {
		if !e.Kind.IsMemory() || e.Kind == history.EvInit {
			continue
		}
		if e.Order != model.SeqCst {
			return fmt.Errorf("property 2 (linearizability): event %d (%s) is not seq-cst: the property is about seq-cst programs", i, e.Op)
		}
		for j, d := range h.Events[:i] {
			if d.Kind.IsMemory() && d.Kind != history.EvInit && d.Buffer == e.Buffer &&
				d.ByteIndex < e.ByteIndex+e.Size && e.ByteIndex < d.ByteIndex+d.Size &&
				(d.ByteIndex != e.ByteIndex || d.Size != e.Size) {
				return fmt.Errorf("property 2 (linearizability): events %d (%s) and %d (%s) overlap without equal ranges: mixed-size seq-cst accesses do not synchronize, and the model allows them outcomes no interleaving gives (catalogue: Tear+overlap+sc); the property is about seq-cst programs whose accesses of a byte have equal ranges", j, d.Op, i, e.Op)
			}
		}
	}
	r, err := checker.Linearizability(context.Background(), h, checker.Options{Budget: CheckBudget})
	if err != nil {
		return fmt.Errorf("property 2 (linearizability): checker.Linearizability: %w", err)
	}
	if r.Verdict != checker.Ok || len(r.SkippedParts) > 0 {
		return fmt.Errorf("property 2 (linearizability): a seq-cst history is not shown linearizable: %v: %s (skipped: %q)%s", r.Verdict, r.Reason, r.SkippedParts, findings(r.Findings))
	}
	return nil
}

// RaceDetector is a data race detector under test: the data races of a
// history, each as the pair of its events' indices in History.Events
// (smaller first), sorted. CheckerRaces is checker.Races as one.
type RaceDetector func(h *history.History) ([][2]int, error)

// CheckerRaces is checker.Races as a RaceDetector (an error if it lists
// fewer races than it counts, or answers Unknown).
func CheckerRaces(h *history.History) ([][2]int, error) {
	r, err := checker.Races(context.Background(), h, checker.Options{Budget: CheckBudget})
	if err != nil {
		return nil, err
	}
	if r.Verdict == checker.Unknown {
		return nil, fmt.Errorf("checker.Races: %s", r.Reason)
	}
	if r.Omitted > 0 {
		return nil, fmt.Errorf("checker.Races omitted %d of %d races", r.Omitted, r.Total)
	}
	var out [][2]int
	for _, d := range r.DataRaces {
		out = append(out, pair(d.E.Index, d.D.Index))
	}
	return sortPairs(out), nil
}

func pair(a, b int) [2]int {
	if a > b {
		a, b = b, a
	}
	return [2]int{a, b}
}

func sortPairs(ps [][2]int) [][2]int {
	slices.SortFunc(ps, func(a, b [2]int) int {
		if a[0] != b[0] {
			return a[0] - b[0]
		}
		return a[1] - b[1]
	})
	return slices.Compact(ps)
}

// ModelRaces returns the data races the model finds (model.Analysis.
// DataRaces) in the candidate execution history.Convert makes of h, as
// history event pairs: the reference for property 3.
func ModelRaces(h *history.History) ([][2]int, error) {
	return modelRaces(h, false)
}

// modelRaces computes ModelRaces; withoutSW drops synchronizes-with from
// happens-before (keeping host-synchronizes-with): a faulty race detector,
// the mutant that property 3 must catch.
func modelRaces(h *history.History, withoutSW bool) ([][2]int, error) {
	conv, err := history.Convert(h)
	if err != nil {
		return nil, err
	}
	an, err := model.Analyze(conv.Execution)
	if err != nil {
		return nil, err
	}
	if withoutSW {
		x := conv.Execution
		hb := an.AgentOrder.Clone()
		for _, p := range an.HostSynchronizesWith.Pairs() {
			hb.Add(p[0], p[1])
		}
		for _, p := range an.HappensBefore.Pairs() {
			if x.Events[p[0]].Order == model.Init {
				hb.Add(p[0], p[1])
			}
		}
		m := *an
		m.HappensBefore = hb.TransitiveClosure()
		an = &m
	}
	var out [][2]int
	for _, r := range an.DataRaces() {
		out = append(out, pair(conv.Source[r.E], conv.Source[r.D]))
	}
	return sortPairs(out), nil
}

// RacesAgree returns property 3 as a Scenario.Check: the race detector
// (checker.Races) reports exactly the data races model.Analysis.DataRaces
// reports for the same execution.
//
// The comparison is exact because both judge the same candidate
// execution: checker.Races chooses reads-bytes-from as history.Convert
// does (the write of that byte and value that began last before the read
// returned), and the reference is the model's DataRaces on Convert's
// execution itself — so agent-order, synchronizes-with (which depends on
// reads-bytes-from), host-synchronizes-with and happens-before are the
// same relations, computed twice by independent code. (The explorer's
// witness, Outcome.Witness with Options.CheckAll, is a valid execution of
// the same history but may take a byte from another write of the same
// value, and so may have other races: comparing with it would not be
// exact. Generated programs write distinct values, so the two rarely
// differ, but the property does not depend on it.)
func RacesAgree() func(*scenarios.Outcome) error {
	return racesAgree(CheckerRaces)
}

// RacesAgreeWith is RacesAgree for another race detector (a mutant).
func RacesAgreeWith(d RaceDetector) func(*scenarios.Outcome) error {
	if d == nil {
		return func(*scenarios.Outcome) error { return errors.New("gen: nil RaceDetector") }
	}
	return racesAgree(d)
}

func racesAgree(d RaceDetector) func(*scenarios.Outcome) error {
	return func(o *scenarios.Outcome) error {
		h, err := historyOf(o)
		if err != nil {
			return err
		}
		want, err := ModelRaces(h)
		if err != nil {
			return fmt.Errorf("property 3 (races): the model's races: %w", err)
		}
		got, err := d(h)
		if err != nil {
			return fmt.Errorf("property 3 (races): the race detector: %w", err)
		}
		if !slices.Equal(got, want) {
			return fmt.Errorf("property 3 (races): the race detector reports data races %s, the model's DataRaces %s", pairsText(h, got), pairsText(h, want))
		}
		return nil
	}
}

func pairsText(h *history.History, ps [][2]int) string {
	if len(ps) == 0 {
		return "none"
	}
	var parts []string
	for _, p := range ps {
		parts = append(parts, fmt.Sprintf("{%s, %s}", checker.RefOf(h, p[0]), checker.RefOf(h, p[1])))
	}
	return strings.Join(parts, " ")
}
