package model

import (
	"context"
	"errors"
	"fmt"
	"strings"
)

// This file is the enumerator's API: Enumerate and its variants, the
// outcomes they return, and the mask loop over compareExchange successes.
// The state keys and compact witnesses are in statekey.go, the search's
// static tables in searchstate.go, and the search itself in search.go.

// Outcome is one allowed final state of a program with one valid execution
// that produces it. The outcomes of one Enumerate call share memory (a
// register map is shared by every outcome in which its agent has the same
// register values); treat them as read-only.
type Outcome struct {
	State FinalState
	w     *witnessRec
}

// Witness returns a valid execution of the program that produces the
// outcome's State. The enumerator keeps only each read's sources and
// values per outcome (and the memory-order of its search leaf without the
// init writes, which always come first), so Witness builds the Execution
// on each call; the executions of one Enumerate call share their Events,
// AgentOrder and HostSynchronizesWith slices, which must be treated as
// read-only. Witness returns nil for an Outcome not made by the
// enumerator.
func (o Outcome) Witness() *Execution {
	if o.w == nil {
		return nil
	}
	return o.w.execution()
}

// TooManyStatesError is returned by EnumerateLimit when a program has more
// allowed final states than the limit: the enumeration stops as soon as it
// finds state number Limit+1, before spending memory on the rest.
type TooManyStatesError struct {
	Program string
	Variant string
	Limit   int
}

// Error formats the error as "program P: more than N allowed final states
// under V" ("<nil>" for a nil e).
func (e *TooManyStatesError) Error() string {
	if e == nil {
		return "<nil>"
	}
	return fmt.Sprintf("program %s: more than %d allowed final states under %s (the limit)", e.Program, e.Limit, e.Variant)
}

// Enumerate returns every final state of p allowed under variant v, each
// exactly once with one witness execution, in a deterministic order
// (registers agent by agent, by name, numerically; then memory). See
// EnumerateContext. Errors: a *ProgramError when p.Validate refuses p, and
// ErrNoVariant (wrapped) for the zero Variant.
func Enumerate(p *Program, v Variant) ([]Outcome, error) {
	return enumerate(context.Background(), p, v, 0)
}

// EnumerateContext is Enumerate that stops with ctx's error when ctx is
// done (and returns no outcomes). A nil ctx is an error.
//
// Each operation becomes one event; the block's creator (an extra agent
// "main") performs the init writes, starts every agent and joins them
// (host-synchronizes-with pairs), then performs the final reads: plain
// reads that happen after every event, one per cell of the block (bytes
// connected by the program's accesses; see docs/memory-model.md). Their
// values, chosen under the same rules as every other read, are the final
// memory; where unordered writes race, several final memories are allowed.
//
// The search chooses, for each read and each segment of its range written
// by the same set of writes, the set of writes it takes bytes from; it
// prunes on happens-before cycles, coherence, tear-freedom and
// read-modify-write dependency cycles as soon as a choice is made, and
// after each read solves the memory-order constraints of v (happens-before
// plus the variant's rules) by propagation and branching, not by listing
// linearisations. Values are computed at the leaves, in dependency order.
//
// Every stage (the search, the value enumeration at the leaves, the
// memory-order search, sorting and building the outcomes) checks ctx every
// thousand or so steps, so a cancelled or expired ctx ends the call
// promptly. Each distinct state costs memory (its key, and its sources and
// values for Witness: a few hundred bytes, whatever the block's size);
// EnumerateLimit bounds the number of states.
func EnumerateContext(ctx context.Context, p *Program, v Variant) ([]Outcome, error) {
	return enumerate(ctx, p, v, 0)
}

// EnumerateLimit is EnumerateContext that gives up with a
// *TooManyStatesError as soon as it finds more than maxStates distinct
// final states (no limit when maxStates <= 0).
func EnumerateLimit(ctx context.Context, p *Program, v Variant, maxStates int) ([]Outcome, error) {
	return enumerate(ctx, p, v, maxStates)
}

func enumerate(ctx context.Context, p *Program, v Variant, maxStates int) ([]Outcome, error) {
	if !v.valid() {
		return nil, ErrNoVariant
	}
	if err := p.Validate(); err != nil {
		return nil, err
	}
	if ctx == nil {
		return nil, errors.New("model: nil context.Context (use context.Background())")
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	// Under the current text a compareExchange is a read-modify-write
	// when it succeeds and a read when it fails: search once per
	// combination. Under ES2017 it is always a read-modify-write.
	var cas []opRef
	for a, ag := range p.Agents {
		for o, op := range ag.Ops {
			if op.Kind == AccessRMW && op.Modify == CompareExchange && !v.failingCASWrites() {
				cas = append(cas, opRef{a, o})
			}
		}
	}
	if len(cas) > MaxCompareExchanges { // Validate refuses it; the mask below needs it
		return nil, fmt.Errorf("model: internal error: %d compareExchange operations passed Validate", len(cas))
	}
	seen := newFoundStates()
	var regs []regSlot
	for mask := 0; mask < 1<<len(cas); mask++ {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		success := map[opRef]bool{}
		for i, c := range cas {
			success[c] = mask&(1<<i) != 0
		}
		e := newEnumerator(ctx, p, v, success, seen, maxStates)
		if e.err == nil {
			e.dfs(0)
		}
		if e.err != nil {
			return nil, e.err
		}
		regs = e.regs // the same for every mask
	}
	return outcomes(ctx, p, regs, seen)
}

// layoutOf returns the memory layout the final states of p share: a copy
// of p.Init, and the touched cells, whose bytes each state holds.
func layoutOf(p *Program) *memLayout {
	l := &memLayout{base: append([]byte{}, p.Init...)}
	for _, c := range finalCells(p) {
		if c.Touched {
			l.cells = append(l.cells, c.Range)
		}
	}
	return l
}

// outcomes sorts the found states by key (which orders them as Enumerate
// promises) and decodes each key into a FinalState. Outcomes whose agent
// has the same register values share that agent's map: a test's states
// typically repeat few per-agent assignments, and a map costs far more
// than a state's other data.
func outcomes(ctx context.Context, p *Program, regs []regSlot, seen *foundStates) ([]Outcome, error) {
	keys := make([]string, 0, len(seen.index))
	for k := range seen.index {
		if len(keys)&1023 == 1023 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		keys = append(keys, k)
	}
	if err := SortFuncContext(ctx, keys, strings.Compare); err != nil {
		return nil, err
	}
	out := make([]Outcome, len(keys))
	layout := layoutOf(p)
	own := 0 // bytes per state: those of the touched cells, at the key's end
	for _, c := range layout.cells {
		own += c.Size
	}
	mem := make([]byte, len(keys)*own)
	nA := len(p.Agents)
	regMaps := make([]map[string]int64, len(keys)*nA)
	// agent a's registers are regs[first[a]:first[a+1]] (agent by agent)
	first := make([]int, nA+1)
	for _, r := range regs {
		first[r.agent+1]++
	}
	for a := 0; a < nA; a++ {
		first[a+1] += first[a]
	}
	interned := make([]map[string]map[string]int64, nA)
	for a := range interned {
		interned[a] = map[string]map[string]int64{}
	}
	for i, k := range keys {
		if i&1023 == 1023 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		st := &out[i].State
		st.Regs = regMaps[i*nA : (i+1)*nA : (i+1)*nA]
		for a := 0; a < nA; a++ {
			part := k[8*first[a] : 8*first[a+1]]
			m, ok := interned[a][part]
			if !ok {
				m = make(map[string]int64, first[a+1]-first[a])
				for j := first[a]; j < first[a+1]; j++ {
					m[regs[j].name] = keyReg(k, j)
				}
				interned[a][part] = m
			}
			st.Regs[a] = m
		}
		st.mem = layout
		st.own = mem[i*own : (i+1)*own : (i+1)*own]
		copy(st.own, k[8*len(regs):])
		out[i].w = seen.rec(seen.index[k])
	}
	return out, nil
}
