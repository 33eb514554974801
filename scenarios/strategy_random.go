package scenarios

import (
	"math/rand/v2"

	"github.com/sabre-mm/sabre/model"
)

// Random returns the strategy that, seeded with seed, runs a uniformly
// random option at every scheduling point (every step is one: random
// interleavings, as real threads make them) and lets each read return a
// weak value — a random value per byte among those it may take
// (ReadChoice.Values) — with probability 1/4 for an Unordered read and
// 1/32 for a seq-cst one, the default otherwise. It
// never ends of itself: bound it with Options.Executions or Duration.
// Executions the model forbids are discarded (Stats.Rejected).
func Random(seed uint64) Strategy {
	return &random{seed: seed}
}

type random struct {
	seed uint64
	rng  *rand.Rand
}

func (r *random) Name() string { return "random" }

func (r *random) Start(n int) bool {
	if n == 0 {
		r.rng = rand.New(rand.NewPCG(r.seed, 0x5ab7e))
	}
	return true
}

func (r *random) Schedule(c *SchedChoice) int { return r.rng.IntN(len(c.Options)) }

func (r *random) Read(c *ReadChoice) []byte {
	if r.rng.IntN(weakOdds(c)) != 0 {
		return nil
	}
	return randomValue(r.rng, c)
}

// weakOdds is 1 in how many reads the random strategy makes weak: 4 for
// an Unordered read, 32 for a seq-cst one (among seq-cst accesses weak
// behaviours are rare — sequential consistency for data-race-free
// programs — and interleavings already reach the others).
func weakOdds(c *ReadChoice) int {
	if c.Op.Order == model.SeqCst {
		return 32
	}
	return 4
}

// randomValue picks each byte of a read at random among its values.
func randomValue(rng *rand.Rand, c *ReadChoice) []byte {
	vals := c.Values()
	v := make([]byte, len(vals))
	for k, vs := range vals {
		v[k] = vs[rng.IntN(len(vs))]
	}
	return v
}

func (r *random) Finish(*Execution) {}
