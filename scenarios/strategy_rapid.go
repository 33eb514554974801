package scenarios

import (
	"slices"

	"pgregory.net/rapid"
)

// Rapid returns the strategy that draws every choice from t: which option
// runs next (every step is a scheduling point) and, for each read, whether
// it is weak and then each byte's value, the default first. rapid shrinks
// a failing execution's draws towards zero — fewer switches between agents,
// default (sequentially consistent) reads — so a failure shrinks to a
// minimal schedule, and rapid keeps its failfile under
// testdata/rapid/ to replay it. It runs one execution per rapid test case;
// after each, the caller must check Panicked. The values a read may take
// from writes to come are those of the Knowledge in Options, which must not
// change between rapid's test cases (Knowledge.Freeze) for rapid to replay
// them.
func Rapid(t *rapid.T) Strategy { return &rapidStrategy{t: t} }

// Panicked returns the panic a rapid draw raised during the last execution
// (rapid ends a test case that way), or nil: the caller, on rapid's
// goroutine, must raise it again (panic(p)) for rapid to see it. Explore
// does. (A draw runs on an agent's goroutine, where the panic cannot
// reach rapid.)
func Panicked(s Strategy) any {
	if r, ok := s.(*rapidStrategy); ok {
		return r.panicked
	}
	return nil
}

type rapidStrategy struct {
	t *rapid.T
	// panicked is a panic of a draw (rapid's way to end a test case, on
	// an agent's goroutine): the execution aborts and exploreRapid raises
	// it again on rapid's goroutine.
	panicked any
}

// draw draws from gen, catching rapid's panic: it aborts the execution
// (a FailStrategy the caller drops) and is kept to be raised again.
func draw[V any](r *rapidStrategy, a *abort, gen *rapid.Generator[V], label string) (v V, ok bool) {
	if r.panicked != nil {
		a.Abort(FailStrategy, "rapid ended the test case")
		return v, false
	}
	defer func() {
		if p := recover(); p != nil {
			r.panicked = p
			a.Abort(FailStrategy, "rapid ended the test case")
			ok = false
		}
	}()
	return gen.Draw(r.t, label), true
}

func (r *rapidStrategy) Name() string      { return "rapid" }
func (r *rapidStrategy) Start(n int) bool  { return n == 0 }
func (r *rapidStrategy) Finish(*Execution) {}

func (r *rapidStrategy) Schedule(c *SchedChoice) int {
	if len(c.Options) == 1 {
		return 0
	}
	// Index 0 is the option that keeps the current agent running (or the
	// canonical one), so that shrinking removes switches.
	first := max(c.Canonical, 0)
	for i, o := range c.Options {
		if o.Agent == c.Current && !o.Timeout {
			first = i
		}
	}
	i, ok := draw(r, &c.abort, rapid.IntRange(0, len(c.Options)-1), "step")
	if !ok {
		return 0
	}
	if i == 0 {
		return first
	}
	if i == first {
		return 0
	}
	return i
}

func (r *rapidStrategy) Read(c *ReadChoice) []byte {
	vals := c.Values()
	if !slices.ContainsFunc(vals, func(v []byte) bool { return len(v) > 1 }) {
		return nil
	}
	if weak, ok := draw(r, &c.abort, rapid.Bool(), "weak"); !ok || !weak {
		return nil
	}
	out := make([]byte, len(vals))
	for k, vs := range vals {
		// The default value first, so that 0 is the sequentially
		// consistent byte.
		i := slices.Index(vs, c.Default[k])
		j, ok := draw(r, &c.abort, rapid.IntRange(0, len(vs)-1), "byte")
		if !ok {
			return nil
		}
		switch j {
		case 0:
			j = i
		case i:
			j = 0
		}
		out[k] = vs[j]
	}
	return out
}
