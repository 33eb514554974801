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
// testdata/rapid/ to replay it. It runs one execution per rapid test case.
func Rapid(t *rapid.T) Strategy { return &rapidStrategy{t: t} }

type rapidStrategy struct{ t *rapid.T }

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
	i := rapid.IntRange(0, len(c.Options)-1).Draw(r.t, "step")
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
	if !rapid.Bool().Draw(r.t, "weak") {
		return nil
	}
	out := make([]byte, len(vals))
	for k, vs := range vals {
		// The default value first, so that 0 is the sequentially
		// consistent byte.
		i := slices.Index(vs, c.Default[k])
		j := rapid.IntRange(0, len(vs)-1).Draw(r.t, "byte")
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
