package checker

import (
	"fmt"
	"time"

	"github.com/sabre-mm/sabre/history"
	"github.com/sabre-mm/sabre/model"
)

// Verdict is a check's answer.
type Verdict uint8

// The verdicts. Unknown means the check ran out of its budget (or was
// cancelled) before deciding; a check never guesses.
const (
	Ok      Verdict = iota + 1 // the history keeps the check's promise
	Illegal                    // it does not: Result.Findings say where and why
	Unknown                    // undecided within the budget: Result.Reason says what was left
)

var verdictNames = [...]string{"", "ok", "illegal", "unknown"}

// String returns "ok", "illegal" or "unknown".
func (v Verdict) String() string {
	if v >= Ok && v <= Unknown {
		return verdictNames[v]
	}
	return fmt.Sprintf("Verdict(%d)", uint8(v))
}

// MarshalText encodes v as its name.
func (v Verdict) MarshalText() ([]byte, error) { return []byte(v.String()), nil }

// UnmarshalText decodes a verdict's name.
func (v *Verdict) UnmarshalText(b []byte) error {
	for x := Ok; x <= Unknown; x++ {
		if string(b) == verdictNames[x] {
			*v = x
			return nil
		}
	}
	return fmt.Errorf("checker: unknown verdict %q", b)
}

// Check names one of the checks.
type Check string

// The checks, by the names `sabre check --checks` takes.
const (
	Lin  Check = "lin"  // linearizability of the seq-cst Atomics, Wait/Notify and the Queue (porcupine)
	Conf Check = "conf" // model conformance: a valid candidate execution explains every value read
	Race Check = "race" // data races by the model's definitions
)

// Checks lists every check in the order Run runs them.
var Checks = []Check{Lin, Conf, Race}

// Options tune the checks. The zero Options are the defaults.
type Options struct {
	// Model is the memory model conformance checks against; the zero
	// Variant means model.ES2024.
	Model model.Variant
	// Budget bounds each check's running time; 0 means none. A check out
	// of budget answers Unknown.
	Budget time.Duration

	validated bool // Run has validated the history: the checks need not again
}

// validate is history.Validate, unless Run did it already.
func (o Options) validate(h *history.History) error {
	if o.validated {
		return nil
	}
	return h.Validate()
}

// EventRef names a history event for a report: its agent and position in
// agent-order, its index in History.Events, the operation and the bytes.
type EventRef struct {
	history.Ref
	Index     int    `json:"index"` // in History.Events; -1 when the history lacks it
	Op        string `json:"op,omitempty"`
	Buffer    uint64 `json:"buffer,omitempty"`
	ByteIndex int    `json:"byteIndex"`
	Size      int    `json:"size"`
}

// RefOf returns the EventRef of h.Events[i].
func RefOf(h *history.History, i int) EventRef {
	e := &h.Events[i]
	return EventRef{Ref: e.Ref(), Index: i, Op: e.Op, Buffer: e.Buffer, ByteIndex: e.ByteIndex, Size: e.Size}
}

// String gives e.g. "a2#7 Atomics.add b1[4:8]".
func (r EventRef) String() string {
	s := fmt.Sprintf("a%d#%d %s", r.Agent, r.Seq, r.Op)
	if r.Buffer != 0 {
		s += fmt.Sprintf(" b%d[%d:%d]", r.Buffer, r.ByteIndex, r.ByteIndex+r.Size)
	}
	return s
}

// Finding is one reason a check failed, in words a developer can act on,
// with the events it is about.
type Finding struct {
	Message string     `json:"message"`
	Events  []EventRef `json:"events,omitempty"`
}

// Result is one check's verdict on one history.
type Result struct {
	Check   Check   `json:"check"`
	Verdict Verdict `json:"verdict"`
	// Reason is one line: what was shown (Ok), what fails (Illegal), or
	// what was left undecided and why (Unknown).
	Reason   string    `json:"reason"`
	Findings []Finding `json:"findings,omitempty"`
	// Checked counts what the check covered (operations, reads or
	// accesses, as Reason says); Skipped what it left to another check.
	Checked int           `json:"checked"`
	Skipped int           `json:"skipped,omitempty"`
	Elapsed time.Duration `json:"elapsedNs"`
}
