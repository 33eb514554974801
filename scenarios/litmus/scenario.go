package litmus

import (
	"context"
	"fmt"
	"slices"

	"github.com/sabre-mm/sabre/atomics"
	"github.com/sabre-mm/sabre/model"
	"github.com/sabre-mm/sabre/scenarios"
	"github.com/sabre-mm/sabre/shared"
)

// Block is the name of the test's shared block in the outcomes of its
// scenario (scenarios.Outcome.Memory).
const Block = "block"

// Scenario lowers the test to a scenario the explorer runs: one shared
// buffer of the program's size, and one agent per litmus agent performing
// its operations through the real shared and atomics API — plain accesses
// as TypedArray element accesses (Unordered), the Atomics methods as
// package atomics' — each reporting the value its registers receive. The
// initial contents, if any are not zero, are written by main with plain
// stores before the agents start (so es2017's special treatment of Init
// events applies only to zero initial contents: Explore refuses such a
// test under es2017). FinalState turns an
// outcome of the scenario into the enumerator's final state.
func (t *Test) Scenario() *scenarios.Scenario {
	p := t.Program
	return &scenarios.Scenario{
		Name: t.Name,
		Setup: func(w *scenarios.World) error {
			buf := w.Buffer(Block, p.Size)
			if buf == nil {
				return fmt.Errorf("litmus %s: no buffer of %d bytes", t.Name, p.Size)
			}
			for i, b := range p.Init {
				if b != 0 {
					v, err := shared.NewTypedArray(buf.For(w.Main()), shared.Uint8, i, 1)
					if err != nil {
						return err
					}
					if err := v.SetBits(0, uint64(b)); err != nil {
						return err
					}
				}
			}
			for _, pa := range p.Agents {
				ops := pa.Ops
				w.Agent(pa.Name, func(a *shared.Agent) error {
					for i := range ops {
						op := &ops[i]
						v, err := perform(buf.For(a), op)
						if err != nil {
							return fmt.Errorf("line %d: %w", op.Line, err)
						}
						if op.Reg != "" {
							w.Report(a, op.Reg, v)
						}
					}
					return nil
				})
			}
			return nil
		},
	}
}

// kindOf is the TypedArray kind of an operation's element.
func kindOf(op *model.Op) shared.Kind {
	switch {
	case op.ElementSize == 1 && op.Signed:
		return shared.Int8
	case op.ElementSize == 1:
		return shared.Uint8
	case op.ElementSize == 2 && op.Signed:
		return shared.Int16
	case op.ElementSize == 2:
		return shared.Uint16
	case op.ElementSize == 4 && op.Signed:
		return shared.Int32
	case op.ElementSize == 4:
		return shared.Uint32
	case op.Signed:
		return shared.BigInt64
	}
	return shared.BigUint64
}

// perform runs one operation and returns the register value it gives (the
// value read, decoded as the enumerator decodes it).
func perform(buf *shared.Buffer, op *model.Op) (int64, error) {
	k := kindOf(op)
	v, err := shared.NewTypedArray(buf, k, op.ByteIndex, 1)
	if err != nil {
		return 0, err
	}
	val := k.Int64(op.Value)
	switch op.Kind {
	case model.AccessLoad:
		if op.Order == model.Unordered {
			bits, err := v.GetBits(0)
			return k.Int64(bits), err
		}
		return atomics.Load(v, 0)
	case model.AccessStore:
		if op.Order == model.Unordered {
			return 0, v.SetBits(0, op.Value)
		}
		_, err := atomics.Store(v, 0, val)
		return 0, err
	}
	switch op.Modify {
	case model.Add:
		return atomics.Add(v, 0, val)
	case model.Sub:
		return atomics.Sub(v, 0, val)
	case model.And:
		return atomics.And(v, 0, val)
	case model.Or:
		return atomics.Or(v, 0, val)
	case model.Xor:
		return atomics.Xor(v, 0, val)
	case model.Exchange:
		return atomics.Exchange(v, 0, val)
	case model.CompareExchange:
		return atomics.CompareExchange(v, 0, k.Int64(op.Expected), val)
	}
	return 0, fmt.Errorf("operation of no kind")
}

// FinalState is the enumerator's final state for an outcome of the test's
// scenario: each agent's registers (those its operations assign, as
// reported) and the final memory of the block.
func (t *Test) FinalState(o *scenarios.Outcome) (model.FinalState, error) {
	regs := make([]map[string]int64, len(t.Program.Agents))
	for a, pa := range t.Program.Agents {
		for _, op := range pa.Ops {
			if op.Reg == "" {
				continue
			}
			v, ok := o.Values[pa.Name+":"+op.Reg]
			if !ok {
				return model.FinalState{}, fmt.Errorf("litmus %s: the outcome has no value for %s:%s", t.Name, pa.Name, op.Reg)
			}
			if regs[a] == nil {
				regs[a] = map[string]int64{}
			}
			regs[a][op.Reg] = v
		}
	}
	m, ok := o.Memory[Block]
	if !ok || len(m) != t.Program.Size {
		return model.FinalState{}, fmt.Errorf("litmus %s: the outcome has no final memory of %d bytes", t.Name, t.Program.Size)
	}
	return model.NewFinalState(regs, m), nil
}

// Explore runs the test's scenario under the explorer (opt.Model is
// replaced by the named model) and observes the final states it reached,
// as Run observes the enumerator's: with an exhaustive strategy the
// observation is the model's, with another it covers the states seen (then
// Never means "not seen"). The report has the schedules, one per state
// (scenarios.Report.Outcomes, in the order reached), and the failures.
func Explore(ctx context.Context, t *Test, modelName string, opt scenarios.Options) (*Observation, *scenarios.Report, error) {
	v, err := model.VariantByName(modelName)
	if err != nil {
		return nil, nil, err
	}
	if v == model.ES2017 && slices.ContainsFunc(t.Program.Init, func(b byte) bool { return b != 0 }) {
		// Recorded Init events are zeros: the non-zero initial values are
		// main's plain stores, which es2017's init synchronization does not
		// treat as init writes — the explorer would report states the 2017
		// text forbids.
		return nil, nil, fmt.Errorf("litmus %s: the explorer cannot run a test with non-zero initial values under es2017 (histories record initial contents as zeros, and the stores that stand in for them are not init writes under the 2017 text)", t.Name)
	}
	opt.Model = v
	rep, err := scenarios.Run(ctx, t.Scenario(), opt)
	if err != nil {
		return nil, nil, err
	}
	outs := make([]model.Outcome, 0, len(rep.Outcomes))
	for _, o := range rep.Outcomes {
		fs, err := t.FinalState(o)
		if err != nil {
			return nil, rep, err
		}
		outs = append(outs, model.Outcome{State: fs})
	}
	obs, err := observe(ctx, t, modelName, outs)
	return obs, rep, err
}
