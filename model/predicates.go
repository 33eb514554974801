package model

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"strings"
)

// Names of the validity conditions, as used in Violation.Predicate.
const (
	PredHostSynchronizesWith = "host-synchronizes-with"
	PredHappensBefore        = "happens-before is a strict partial order"
	PredValidChosenReads     = "valid chosen reads"
	PredCoherentReads        = "coherent reads"
	PredTearFreeReads        = "tear free reads"
	PredSCAtomics            = "sequentially consistent atomics"
	PredSequential           = "sequential consistency"
)

// Violation reports a validity condition that does not hold: which one, the
// events that break it, and a sentence saying how. The predicates return it
// as an error (never a nil *Violation in a non-nil error); get it back with
// errors.As:
//
//	var v *model.Violation
//	if errors.As(err, &v) { ... v.Predicate, v.Events ... }
type Violation struct {
	Predicate string
	Events    []EventID
	Message   string
}

// Error formats the violation as "predicate: message" ("<nil>" for a nil v).
func (v *Violation) Error() string {
	if v == nil {
		return "<nil>"
	}
	return v.Predicate + ": " + v.Message
}

// ErrNoVariant is the error, wrapped, of every function that takes a
// Variant and is given the zero Variant, which names no memory model: use
// ES2024, ES2017, SC or VariantByName.
var ErrNoVariant = errors.New("model: the zero Variant names no memory model (use ES2024, ES2017, SC or VariantByName)")

// usable returns nil when a can be analysed: made by Analyze, or built by
// hand with X well-formed (Execution.Check) and every relation over X's
// events; otherwise an error naming what is missing, for method op. The
// exported methods call it once, on entry; their work is done by
// unexported methods that trust a.
func (a *Analysis) usable(op string) error {
	if err := a.shaped(op); err != nil {
		return err
	}
	return a.wellFormed(op)
}

// shaped is the part of usable that takes constant time: a and X are not
// nil and the relations are over X's events.
func (a *Analysis) shaped(op string) error {
	switch {
	case a == nil:
		return fmt.Errorf("model: Analysis.%s: nil *Analysis (make one with Analyze)", op)
	case a.X == nil:
		return fmt.Errorf("model: Analysis.%s: the Analysis has no execution (X is nil; make one with Analyze)", op)
	}
	n := len(a.X.Events)
	if a.AgentOrder.n != n || a.ReadsFrom.n != n || a.HostSynchronizesWith.n != n || a.SynchronizesWith.n != n || a.HappensBefore.n != n {
		return fmt.Errorf("model: Analysis.%s: the Analysis's relations are not over the %d events of X (make it with Analyze)", op, n)
	}
	return nil
}

// wellFormed is the part of usable that takes linear time: Execution.Check
// of X.
func (a *Analysis) wellFormed(op string) error {
	if err := a.X.Check(); err != nil {
		return fmt.Errorf("model: Analysis.%s: X is not a well-formed execution: %w", op, err)
	}
	return nil
}

func (a *Analysis) violation(pred string, ids []EventID, format string, args ...any) error {
	return &Violation{Predicate: pred, Events: ids, Message: fmt.Sprintf(format, args...)}
}

func (a *Analysis) names(ids []EventID) string {
	s := make([]string, len(ids))
	for i, id := range ids {
		s[i] = a.X.Name(id)
	}
	return strings.Join(s, ", ")
}

// HostSynchronizesWithValid checks the host's relation: a strict partial
// order on host events with no cycle in its union with agent-order. It
// returns nil, or a *Violation of PredHostSynchronizesWith naming the events
// of a cycle.
func (a *Analysis) HostSynchronizesWithValid() error {
	if err := a.usable("HostSynchronizesWithValid"); err != nil {
		return err
	}
	return a.hostSynchronizesWithValid()
}

func (a *Analysis) hostSynchronizesWithValid() error {
	n := len(a.X.Events)
	u := NewRelation(n)
	for i := range u.bits {
		u.bits[i] = a.HostSynchronizesWith.bits[i] | a.AgentOrder.bits[i]
	}
	c := u.TransitiveClosure()
	if ok, e := c.Irreflexive(); !ok {
		cyc := cycleThrough(c, e)
		return a.violation(PredHostSynchronizesWith, cyc, "host-synchronizes-with and agent-order form a cycle through %s", a.names(cyc))
	}
	return nil
}

func cycleThrough(c Relation, e EventID) []EventID {
	var out []EventID
	for d := 0; d < c.n; d++ {
		if c.Has(e, EventID(d)) && c.Has(EventID(d), e) {
			out = append(out, EventID(d))
		}
	}
	return out
}

// HappensBeforeStrictPartialOrder checks that happens-before is
// irreflexive (it is transitive by construction), i.e. has no cycle. It
// returns nil, or a *Violation of PredHappensBefore naming the events of a
// cycle.
func (a *Analysis) HappensBeforeStrictPartialOrder() error {
	if err := a.usable("HappensBeforeStrictPartialOrder"); err != nil {
		return err
	}
	return a.happensBeforeStrictPartialOrder()
}

func (a *Analysis) happensBeforeStrictPartialOrder() error {
	if ok, e := a.HappensBefore.Irreflexive(); !ok {
		cyc := cycleThrough(a.HappensBefore, e)
		return a.violation(PredHappensBefore, cyc, "happens-before has a cycle through %s", a.names(cyc))
	}
	return nil
}

// ValueOfReadEvent returns the bytes read event r takes from its sources
// (ECMA-262 ValueOfReadEvent / ComposeWriteEventBytes), ElementSize bytes,
// little-endian: a write contributes its payload, a read-modify-write
// Event.Modify(its own value read). r must be a read or
// read-modify-write of a.X; otherwise the error says so. It returns a
// *Violation of PredValidChosenReads naming the events when the recursion
// through read-modify-writes does not terminate (a read-modify-write whose
// value depends on itself), which this package does not accept as a value.
// Unlike the predicates, it does not check the whole of X on entry, only
// the events its value depends on: its cost does not grow with X's size.
func (a *Analysis) ValueOfReadEvent(r EventID) ([]byte, error) {
	if err := a.shaped("ValueOfReadEvent"); err != nil {
		return nil, err
	}
	v, err := a.valueOfReadEvent(r)
	if err == errMalformed {
		if err = a.wellFormed("ValueOfReadEvent"); err == nil {
			err = errors.New("model: Analysis.ValueOfReadEvent: X is not a well-formed execution")
		}
	}
	return v, err
}

// errMalformed is valueOfReadEvent's error when an event it visits is not
// as Execution.Check requires (which an Analysis made by Analyze rules
// out); ValueOfReadEvent then reports Check's error.
var errMalformed = errors.New("malformed execution")

// valueOfReadEvent checks each event it visits as Execution.Check would
// (one source per byte, each another event, a write of the read's block
// whose payload fits its range and holds the byte), so that a malformed X
// gives errMalformed, not a panic or a value.
func (a *Analysis) valueOfReadEvent(r EventID) ([]byte, error) {
	if int(r) < 0 || int(r) >= len(a.X.Events) || !a.X.Events[r].isRead() {
		return nil, fmt.Errorf("model: ValueOfReadEvent: %s is not a read event", a.X.Name(r))
	}
	memo := map[EventID][]byte{}
	onPath := map[EventID]bool{}
	var path []EventID
	var value func(r EventID) ([]byte, error)
	value = func(r EventID) ([]byte, error) {
		if v, ok := memo[r]; ok {
			return v, nil
		}
		if onPath[r] {
			i := 0
			for path[i] != r {
				i++
			}
			cyc := append([]EventID(nil), path[i:]...)
			return nil, a.violation(PredValidChosenReads, cyc, "the value of %s depends on itself through read-modify-writes %s", a.X.Name(r), a.names(cyc))
		}
		onPath[r] = true
		path = append(path, r)
		e := &a.X.Events[r]
		if e.ElementSize <= 0 || e.ByteIndex < 0 || e.ElementSize > math.MaxInt-e.ByteIndex ||
			int(r) >= len(a.X.ReadsBytesFrom) || len(a.X.ReadsBytesFrom[r]) != e.ElementSize {
			return nil, errMalformed
		}
		out := make([]byte, e.ElementSize)
		for k, w := range a.X.ReadsBytesFrom[r] {
			if uint(w) >= uint(len(a.X.Events)) || w == r {
				return nil, errMalformed
			}
			we := &a.X.Events[w]
			if we.Block != e.Block || we.ByteIndex < 0 || len(we.Payload) != we.ElementSize {
				return nil, errMalformed
			}
			idx := e.ByteIndex + k - we.ByteIndex // in [0, we.ElementSize) when we holds the byte
			var src []byte
			switch we.Kind {
			case WriteSharedMemory:
				src = we.Payload
			case ReadModifyWriteSharedMemory:
				in, err := value(w)
				if err != nil {
					return nil, err
				}
				src = we.modify(in)
			}
			if uint(idx) >= uint(len(src)) {
				return nil, errMalformed
			}
			out[k] = src[idx]
		}
		path = path[:len(path)-1]
		onPath[r] = false
		memo[r] = out
		return out, nil
	}
	return value(r)
}

// ValidChosenReads checks that every read's chosen value is the value of
// the read event as composed from its reads-bytes-from. It returns nil, or
// a *Violation of PredValidChosenReads naming the read and its sources.
func (a *Analysis) ValidChosenReads() error {
	if err := a.usable("ValidChosenReads"); err != nil {
		return err
	}
	return a.validChosenReads()
}

func (a *Analysis) validChosenReads() error {
	for i := range a.X.Events {
		if !a.X.Events[i].isRead() {
			continue
		}
		r := EventID(i)
		val, err := a.valueOfReadEvent(r)
		if err != nil {
			return err
		}
		if !bytes.Equal(val, a.X.ChosenValues[i]) {
			ids := append([]EventID{r}, uniqueIDs(a.X.ReadsBytesFrom[i])...)
			return a.violation(PredValidChosenReads, ids, "%s chose bytes % x but its sources %s wrote % x", a.X.Name(r), a.X.ChosenValues[i], a.names(ids[1:]), val)
		}
	}
	return nil
}

func uniqueIDs(ids []EventID) []EventID {
	var out []EventID
	for _, id := range ids {
		dup := false
		for _, o := range out {
			dup = dup || o == id
		}
		if !dup {
			out = append(out, id)
		}
	}
	return out
}

// CoherentReads checks, for every byte of every read R taken from W, that
// R does not happen before W and that no write V to that byte has W
// happens-before V happens-before R. It returns nil, or a *Violation of
// PredCoherentReads naming R, W (and V).
func (a *Analysis) CoherentReads() error {
	if err := a.usable("CoherentReads"); err != nil {
		return err
	}
	return a.coherentReads()
}

func (a *Analysis) coherentReads() error {
	type loc struct{ block, b int }
	writers := map[loc][]int{}
	for j := range a.X.Events {
		if ve := &a.X.Events[j]; ve.isWrite() {
			for b := ve.ByteIndex; b < ve.ByteIndex+ve.ElementSize; b++ {
				writers[loc{ve.Block, b}] = append(writers[loc{ve.Block, b}], j)
			}
		}
	}
	for i := range a.X.Events {
		e := &a.X.Events[i]
		if !e.isRead() {
			continue
		}
		r := EventID(i)
		for k, w := range a.X.ReadsBytesFrom[i] {
			b := e.ByteIndex + k
			v, ok := incoherentSource(a.HappensBefore, i, int(w), writers[loc{e.Block, b}])
			switch {
			case ok:
			case v < 0:
				return a.violation(PredCoherentReads, []EventID{r, w}, "%s reads byte %d from %s, which it happens before", a.X.Name(r), b, a.X.Name(w))
			default:
				return a.violation(PredCoherentReads, []EventID{r, w, EventID(v)}, "%s reads byte %d from %s, but %s writes it in between in happens-before", a.X.Name(r), b, a.X.Name(w), a.X.Name(EventID(v)))
			}
		}
	}
	return nil
}

// TearFreeReads checks that a NoTear read reads from at most one NoTear
// write whose range equals its own. It returns nil, or a *Violation of
// PredTearFreeReads naming the read and those writes.
func (a *Analysis) TearFreeReads() error {
	if err := a.usable("TearFreeReads"); err != nil {
		return err
	}
	return a.tearFreeReads()
}

func (a *Analysis) tearFreeReads() error {
	for i := range a.X.Events {
		if !a.X.Events[i].isRead() {
			continue
		}
		eq := appendTearFreeSources(nil, a.X.Events, i, a.X.ReadsBytesFrom[i])
		if len(eq) > 1 {
			ids := append([]EventID{EventID(i)}, eq...)
			return a.violation(PredTearFreeReads, ids, "NoTear read %s takes bytes from %d different NoTear writes with its range: %s", a.X.Name(EventID(i)), len(eq), a.names(eq))
		}
	}
	return nil
}

// constraints returns the memory-order constraints of variant v for this
// execution.
func (a *Analysis) constraints(v Variant) []moConstraint {
	x := a.X
	var writes []int
	for i := range x.Events {
		if x.Events[i].isWrite() {
			writes = append(writes, i)
		}
	}
	var rf []rfPair
	var sc []scSource
	for i := range x.Events {
		e := &x.Events[i]
		if !e.isRead() {
			continue
		}
		allInit := true
		for _, w := range x.ReadsBytesFrom[i] {
			allInit = allInit && x.Events[w].Order == Init
		}
		for _, w := range uniqueIDs(x.ReadsBytesFrom[i]) {
			rf = append(rf, rfPair{r: i, w: int(w), sw: swFor(v, &x.Events[w], e, allInit)})
		}
		if v.rule == ruleSC {
			for k, w := range x.ReadsBytesFrom[i] {
				var others []int
				for _, o := range writes {
					if x.Events[o].byteRange().Contains(e.Block, e.ByteIndex+k) {
						others = append(others, o)
					}
				}
				sc = append(sc, scSource{r: i, w: int(w), others: others})
			}
		}
	}
	return appendConstraints(nil, v, x.Events, a.HappensBefore, rf, writes, sc)
}

func (a *Analysis) describe(k moConstraint, v Variant) string {
	x := a.X
	switch k.rule {
	case 'f':
		return fmt.Sprintf("%s reads from %s, so %s must come first", x.Name(EventID(k.r)), x.Name(EventID(k.w)), x.Name(EventID(k.w)))
	case 's':
		return fmt.Sprintf("%s reads from %s, but %s writes the same byte in between", x.Name(EventID(k.r)), x.Name(EventID(k.w)), x.Name(EventID(k.v)))
	}
	W, V, R := x.Name(EventID(k.w)), x.Name(EventID(k.v)), x.Name(EventID(k.r))
	var why string
	switch {
	case v.rule == ruleES2017:
		why = fmt.Sprintf("%s synchronizes-with %s and %s has %s's range", W, R, V, R)
	case k.rule == 'a':
		why = fmt.Sprintf("%s synchronizes-with %s and %s has %s's range", W, R, V, R)
	case k.rule == 'b':
		why = fmt.Sprintf("%s and %s happen before %s, %s is seq-cst and %s has %s's range", W, V, R, W, V, W)
	default:
		why = fmt.Sprintf("%s happens before %s and %s, %s is seq-cst and %s has %s's range", W, R, V, R, V, R)
	}
	kind := "seq-cst write"
	if v.rule == ruleES2017 {
		kind = "write"
	}
	return fmt.Sprintf("%s reads from %s but the %s %s lies between them in memory-order (rule (%c): %s)", R, W, kind, V, k.rule, why)
}

// SequentiallyConsistentAtomics checks the memory-order condition of
// variant v (for SC: the byte-accurate total order). When X.MemoryOrder is
// set, it checks that order and returns it; otherwise it searches for one
// and returns it (every event once, a linear extension of happens-before).
// A failure is a *Violation of PredSCAtomics (PredSequential under SC)
// naming the events of a minimal set of constraints that cannot hold
// together, or of PredHappensBefore when happens-before has a cycle. The
// zero Variant gives an error wrapping ErrNoVariant.
func (a *Analysis) SequentiallyConsistentAtomics(v Variant) ([]EventID, error) {
	if !v.valid() {
		return nil, ErrNoVariant
	}
	if err := a.usable("SequentiallyConsistentAtomics"); err != nil {
		return nil, err
	}
	return a.sequentiallyConsistentAtomics(v)
}

func (a *Analysis) sequentiallyConsistentAtomics(v Variant) ([]EventID, error) {
	pred := PredSCAtomics
	if v.rule == ruleSC {
		pred = PredSequential
	}
	cs := a.constraints(v)
	if mo := a.X.MemoryOrder; mo != nil {
		pos := make([]int, len(mo))
		for i, id := range mo {
			pos[id] = i
		}
		for _, p := range a.HappensBefore.Pairs() {
			if pos[p[0]] > pos[p[1]] {
				return nil, a.violation(pred, []EventID{p[0], p[1]}, "memory-order puts %s after %s, which it happens before", a.X.Name(p[0]), a.X.Name(p[1]))
			}
		}
		for _, k := range cs {
			bad := false
			if k.v < 0 {
				bad = pos[k.w] > pos[k.r]
			} else {
				bad = pos[k.w] < pos[k.v] && pos[k.v] < pos[k.r]
			}
			if bad {
				ids := []EventID{EventID(k.r), EventID(k.w)}
				if k.v >= 0 {
					ids = append(ids, EventID(k.v))
				}
				return nil, a.violation(pred, ids, "in the given memory-order, %s", a.describe(k, v))
			}
		}
		return mo, nil
	}
	if ok, _ := a.HappensBefore.Irreflexive(); !ok {
		return nil, a.happensBeforeStrictPartialOrder()
	}
	sol, ok := solveOrder(a.HappensBefore, cs, nil)
	if ok {
		return linearize(sol), nil
	}
	// Name the events of a minimal set of constraints that cannot hold
	// together (with happens-before): drop each constraint that is not
	// needed for the contradiction.
	core := append([]moConstraint(nil), cs...)
	for i := 0; i < len(core); {
		trial := append(append([]moConstraint(nil), core[:i]...), core[i+1:]...)
		if _, ok := solveOrder(a.HappensBefore, trial, nil); !ok {
			core = trial
		} else {
			i++
		}
	}
	var ids []EventID
	var why []string
	for _, k := range core {
		ids = append(ids, EventID(k.r), EventID(k.w))
		if k.v >= 0 {
			ids = append(ids, EventID(k.v))
		}
		why = append(why, a.describe(k, v))
	}
	ids = uniqueIDs(ids)
	return nil, a.violation(pred, ids, "no memory-order contains happens-before and meets these together: %s", strings.Join(why, "; "))
}

// ValidExecution checks every condition of a valid execution under v, in
// the spec's order, and returns the first that fails as a *Violation (nil
// when valid). The zero Variant gives an error wrapping ErrNoVariant,
// before any condition is checked.
func (a *Analysis) ValidExecution(v Variant) error {
	if !v.valid() {
		return ErrNoVariant
	}
	if err := a.usable("ValidExecution"); err != nil {
		return err
	}
	return a.validExecution(v)
}

func (a *Analysis) validExecution(v Variant) error {
	for _, check := range []func() error{a.hostSynchronizesWithValid, a.happensBeforeStrictPartialOrder,
		a.validChosenReads, a.coherentReads, a.tearFreeReads} {
		if err := check(); err != nil {
			return err
		}
	}
	_, err := a.sequentiallyConsistentAtomics(v)
	return err
}

// ValidExecution analyzes x and checks it under v. It returns nil when x is
// a valid execution; a *Violation (see errors.As) when x is well-formed but
// invalid; ErrNoVariant (wrapped) for the zero Variant; and otherwise the
// error of Execution.Check for a malformed x.
func ValidExecution(x *Execution, v Variant) error {
	if !v.valid() {
		return ErrNoVariant
	}
	a, err := Analyze(x)
	if err != nil {
		return err
	}
	return a.validExecution(v)
}

// Race is a pair of Shared Data Block events in a race.
type Race struct {
	E, D EventID
	// Data is true for a data race: either event is not seq-cst, or
	// their ranges overlap without being equal.
	Data bool
}

// Races lists the pairs (E, D), E < D, that are in a race: neither happens
// before the other, and either both write intersecting ranges or one
// reads-from the other. (The spec's "it is not the case that both E
// happens-before D and D happens-before E" is read as "neither".) It
// returns nil for an Analysis that is not usable (see Analysis).
func (a *Analysis) Races() []Race {
	if a.usable("Races") != nil {
		return nil
	}
	return a.races()
}

func (a *Analysis) races() []Race {
	var out []Race
	x := a.X
	for i := range x.Events {
		for j := i + 1; j < len(x.Events); j++ {
			e, d := &x.Events[i], &x.Events[j]
			if !e.isMemory() || !d.isMemory() {
				continue
			}
			E, D := EventID(i), EventID(j)
			if a.HappensBefore.Has(E, D) || a.HappensBefore.Has(D, E) {
				continue
			}
			race := (e.isWrite() && d.isWrite() && e.byteRange().Intersects(d.byteRange())) ||
				a.ReadsFrom.Has(E, D) || a.ReadsFrom.Has(D, E)
			if race {
				data := e.Order != SeqCst || d.Order != SeqCst || e.byteRange().Overlapping(d.byteRange())
				out = append(out, Race{E: E, D: D, Data: data})
			}
		}
	}
	return out
}

// DataRaces lists the races that are data races (nil for an Analysis that
// is not usable).
func (a *Analysis) DataRaces() []Race {
	if a.usable("DataRaces") != nil {
		return nil
	}
	return a.dataRaces()
}

func (a *Analysis) dataRaces() []Race {
	var out []Race
	for _, r := range a.races() {
		if r.Data {
			out = append(out, r)
		}
	}
	return out
}

// DataRaceFree reports whether no two events are in a data race. It
// reports false for an Analysis that is not usable: it vouches for no
// execution.
func (a *Analysis) DataRaceFree() bool {
	return a.usable("DataRaceFree") == nil && len(a.dataRaces()) == 0
}
