package checker

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/sabre-mm/sabre/history"
	"github.com/sabre-mm/sabre/model"
)

// RaceListLimit is the number of data races a RaceReport lists; it counts
// the others (RaceReport.Omitted).
const RaceListLimit = 100

// DataRace is a pair of events in a data race (ECMA-262, "Races" and "Data
// Races"): neither happens before the other, they either both write bytes
// they share or one reads bytes the other wrote, and one of them is not
// seq-cst or their ranges overlap without being equal.
type DataRace struct {
	// E is a write (WriteSharedMemory or ReadModifyWriteSharedMemory). D is
	// a read that read bytes from E (ReadsFrom), or another write of bytes
	// E wrote, found after E in an order consistent with happens-before.
	E       EventRef `json:"e"`
	D       EventRef `json:"d"`
	ESeqCst bool     `json:"eSeqCst,omitempty"`
	DSeqCst bool     `json:"dSeqCst,omitempty"`
	// ReadsFrom: D read (some of) the bytes E wrote; otherwise both wrote.
	ReadsFrom bool `json:"readsFrom,omitempty"`
	// Buffer, ByteIndex and Size are the bytes both events touch, in D's
	// buffer (a buffer an ArrayBuffer transfer moved is the same memory as
	// the one it came from, at the same indices).
	Buffer    uint64 `json:"buffer"`
	ByteIndex int    `json:"byteIndex"`
	Size      int    `json:"size"`
	// Missing names the missing happens-before edge in words, with what
	// would supply it. It is the finding's Message.
	Missing string `json:"missing"`
}

// RaceReport is the race check's answer: a Result with Check Race, and the
// data races it found.
type RaceReport struct {
	Result
	// DataRaces lists up to RaceListLimit data races, each pair once,
	// ordered by D's then E's index in History.Events. Findings holds the
	// same, one Finding per race.
	DataRaces []DataRace `json:"dataRaces,omitempty"`
	// Total counts every data race, listed or not; Omitted those not
	// listed.
	Total   int `json:"total"`
	Omitted int `json:"omitted,omitempty"`
	// Races counts every race, data race or not (two seq-cst writes of an
	// equal range that nothing orders race, but not as a data race).
	Races int `json:"races"`
	// Cycles counts the cycles happens-before has (strongly connected
	// components of more than one event) under the reads-bytes-from the
	// check chose: the events of a cycle all happen before each other,
	// as the model's transitive closure has it, so they never race. A
	// cycle means the chosen candidate execution is not valid (see
	// docs/checker.md ("Data races")).
	Cycles int `json:"cycles,omitempty"`
	// Unsourced counts reads with a byte no recorded write (nor the
	// initial zero) could have given: they take part in no reads-from
	// race (model conformance judges them). It is Result.Skipped.
	Unsourced int `json:"unsourced,omitempty"`
}

// Races finds the data races of h by the memory model's own definitions
// (ECMA-262 es2024, #sec-races and #sec-data-races, as package model's
// Analysis.Races and Analysis.DataRaces define them), in one pass over the
// history in an order consistent with happens-before.
//
// Happens-before is the transitive closure of
//   - agent-order: an agent's events by Seq (events of agent 0 and
//     WaitSettle events are in no agent-order);
//   - synchronizes-with: a seq-cst read (a seq-cst Read, a Wait's value
//     check, an RMW) that reads bytes from a seq-cst write (a seq-cst
//     Write, an RMW) with an equal range;
//   - host-synchronizes-with: the events sharing a Sync token, from the
//     sending end (AgentStart, AgentEnd, QueuePut, Notify) to the
//     receiving ends (AgentBegin, AgentJoin, QueueGet, a woken Wait after
//     its value check);
//   - the init writes of a block (Init events), which happen before every
//     other event that touches their bytes, as package model has it.
//
// Reads-bytes-from is chosen as history.Convert chooses it: each byte of a
// read comes from the write of that byte and value that began (Call) last
// before the read returned (Return), not the read itself; the initial zero
// of an Init event precedes every write. When a value was written more than
// once the choice may not be the write the run read from:
// docs/checker.md ("Data races") says what that can hide or invent. Bytes that an ArrayBuffer
// transfer moved without copying (Transfer with Stored) are the same memory
// as those of the buffer they came from.
//
// E and D race when they are distinct memory events, neither happens
// before the other, and either both write (Write or RMW; Init writes
// happen before everything that touches their bytes, so they never race)
// bytes they share, or one read bytes from the other. A race is a data race
// when either event is not seq-cst, or their ranges intersect but are not
// equal. Each racing pair is counted once, and RaceListLimit data races are
// listed with both events, whether each is seq-cst, the bytes they share
// and the missing edge in words.
//
// The verdict is Ok when h has no data race, Illegal when it has one
// (listed in Findings), and Unknown when ctx ended or opt.Budget ran out
// first with none found (a race found before then is definite, and the
// verdict Illegal, the counts lower bounds). Races are the same under
// every model variant; opt.Model is not used.
//
// Cost: one pass in an order consistent with happens-before (Tarjan's
// algorithm over each event's happens-before predecessors; a cycle, which
// a guessed reads-bytes-from can make, is one strongly connected component
// whose events all happen before each other). Vector clocks are persistent
// tries over chains (agents, and chains of the events of no agent that
// others synchronize with): a snapshot is free, a join copies only what
// differs. Writes are kept per first byte, chain and class, with the
// maximal writes of each byte as a fast path, so a write that races
// nothing costs a look-up per byte its neighbours began at, and racing
// pairs are counted by binary search, not listed. Reads-bytes-from is found
// in one sweep by instants, with a per-byte index of values for bytes
// written very often. Buffers of any declared length (up to 4 GiB) cost
// only the 8-byte lines accessed. Time and memory grow linearly with the
// events for the hostile shapes TestRacesHostileScaling builds; a write
// that races writes of k chains at its bytes costs k. About 2.5 million
// events per second on one core (BenchmarkRaces). docs/checker.md ("Data races")
// has the details.
//
// The error is non-nil only for bad input: h.Validate's *history.FormatError
// (also for a nil h), or a history of more than 2^26 events.
func Races(ctx context.Context, h *history.History, opt Options) (*RaceReport, error) {
	return races(ctx, h, opt, nil)
}

// races is Races, calling collect (when non-nil) for every racing pair.
func races(ctx context.Context, h *history.History, opt Options, collect func(e, d int, data bool)) (*RaceReport, error) {
	start := time.Now()
	if err := opt.validate(h); err != nil {
		return nil, err
	}
	if len(h.Events) > maxRaceEvents {
		return nil, fmt.Errorf("checker: Races: %d events, more than the %d the race detector indexes", len(h.Events), maxRaceEvents)
	}
	if ctx == nil {
		ctx = context.Background()
	}
	if opt.Budget > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeoutCause(ctx, opt.Budget, fmt.Errorf("its budget of %v ran out", opt.Budget))
		defer cancel()
	}
	d := newRaceDetector(ctx, h)
	d.collect = collect
	d.run()
	return d.report(time.Since(start)), nil
}

func (d *raceDetector) report(elapsed time.Duration) *RaceReport {
	r := &RaceReport{Result: Result{Check: Race, Checked: d.checked, Skipped: d.unsourced, Elapsed: elapsed},
		Total: d.total, Races: d.nraces, Cycles: d.cycles, Unsourced: d.unsourced}
	sortDataRaces(d.listed)
	r.DataRaces = d.listed
	r.Omitted = d.total - len(d.listed)
	for _, x := range d.listed {
		r.Findings = append(r.Findings, Finding{Message: x.Missing, Events: []EventRef{x.E, x.D}})
	}
	var notes []string
	if d.cycles > 0 {
		notes = append(notes, fmt.Sprintf("happens-before has %d cycle(s) under the chosen reads-bytes-from", d.cycles))
	}
	if d.unsourced > 0 {
		notes = append(notes, fmt.Sprintf("%d read(s) returned bytes no recorded write gave", d.unsourced))
	}
	note := ""
	if len(notes) > 0 {
		note = " (" + strings.Join(notes, "; ") + ")"
	}
	switch {
	case d.total > 0:
		r.Verdict = Illegal
		r.Reason = fmt.Sprintf("%d data race(s) among %d memory accesses", d.total, d.checked)
		if d.total > len(d.listed) {
			r.Reason += fmt.Sprintf(", %d listed", len(d.listed))
		}
		if d.stopped != nil {
			r.Reason += fmt.Sprintf("; the check stopped (%v) after %d of %d events, so there may be more", d.stopped, d.processed, d.nodes)
		}
		r.Reason += note
	case d.stopped != nil && d.nodes == 0:
		r.Verdict = Unknown
		r.Reason = fmt.Sprintf("undecided: the check stopped (%v) before it had chosen what each read read from", d.stopped)
	case d.stopped != nil:
		r.Verdict = Unknown
		r.Reason = fmt.Sprintf("undecided: no data race among the %d of %d events checked before the check stopped (%v)", d.processed, d.nodes, d.stopped)
	default:
		r.Verdict = Ok
		r.Reason = fmt.Sprintf("no data race among %d memory accesses (%d races between seq-cst accesses of equal ranges)", d.checked, d.nraces) + note
	}
	return r
}

// explain says which happens-before edge is missing between E and D, and
// what would supply it.
func explain(h *history.History, x *DataRace) string {
	e, dd := &h.Events[x.E.Index], &h.Events[x.D.Index]
	ea, da := agentName(e.Agent), agentName(dd.Agent)
	head := fmt.Sprintf("no happens-before between %v and %v", x.E, x.D)
	if x.ReadsFrom {
		what := fmt.Sprintf("%s read what %s wrote", da, ea)
		switch {
		case x.ESeqCst && x.DSeqCst:
			return fmt.Sprintf("%s: %s, but seq-cst accesses synchronize only when their ranges are equal (b%d[%d:%d] and b%d[%d:%d]) — use one element size for these bytes in every Atomics access",
				head, what, x.E.Buffer, x.E.ByteIndex, x.E.ByteIndex+x.E.Size, x.D.Buffer, x.D.ByteIndex, x.D.ByteIndex+x.D.Size)
		case x.ESeqCst:
			return fmt.Sprintf("%s: %s, but the read is not seq-cst, so it does not synchronize with the write, and nothing else %s did after the write synchronizes with %s before the read — read it with %s of the same bytes",
				head, what, ea, da, atomicsFor(dd, "load"))
		case x.DSeqCst:
			return fmt.Sprintf("%s: %s, but the write is not seq-cst, so the read does not synchronize with it, and nothing else %s did after the write synchronizes with %s before the read — make the write %s of the same bytes",
				head, what, ea, da, atomicsFor(e, "store"))
		default:
			return fmt.Sprintf("%s: %s, but nothing %s did after the write synchronizes with %s before the read — make the write (or a later write) Atomics.store and read it with Atomics.load",
				head, what, ea, da)
		}
	}
	who := ea + " and " + da
	if e.Agent == 0 && dd.Agent == 0 {
		who = "two events of no agent (a0)" // events of no agent are in no agent-order
	}
	what := fmt.Sprintf("%s both wrote b%d[%d:%d]", who, x.Buffer, x.ByteIndex, x.ByteIndex+x.Size)
	if x.ESeqCst && x.DSeqCst {
		return fmt.Sprintf("%s: %s, and nothing orders one write before the other; as seq-cst accesses of unequal ranges (%d and %d bytes at %d and %d) they are a data race — use one element size for these bytes in every Atomics access",
			head, what, x.E.Size, x.D.Size, x.E.ByteIndex, x.D.ByteIndex)
	}
	return fmt.Sprintf("%s: %s, and nothing orders one write before the other (no chain of agent-order, a seq-cst read of an equal-range seq-cst write, a Queue put and get, an agent start or join, or a notify and wait leads from one to the other) — order them: publish the first with Atomics.store and have the other agent Atomics.load it before writing, pass a Queue item, or join the agent",
		head, what)
}

func agentName(a int) string {
	if a == 0 {
		return "no agent (a0)"
	}
	return fmt.Sprintf("a%d", a)
}

// atomicsFor names the Atomics operation that would do e's access, e.g.
// "Atomics.store".
func atomicsFor(e *history.Event, op string) string {
	if e.Order == model.SeqCst {
		return e.Op
	}
	return "Atomics." + op
}
