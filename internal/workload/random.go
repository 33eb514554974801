package workload

import (
	"math/rand/v2"

	"github.com/sabre-mm/sabre/atomics"
	"github.com/sabre-mm/sabre/history"
	"github.com/sabre-mm/sabre/shared"
)

// Random is a large random workload for benchmarks: Agents agents share
// Locations Int32 elements and together make Ops operations (each agent
// Ops/Agents, the first Ops mod Agents one more), each on a location drawn
// uniformly. An operation is, with probability Plain, a plain
// (Unordered) get or set; otherwise one of the seq-cst Atomics — load,
// store, add, sub, and, or, xor, exchange, compareExchange (expecting the
// value the agent last saw there, so that some succeed) — with small
// random operands. Nothing else synchronizes the agents, so with Plain > 0
// the plain accesses race (as a race detector benchmark wants).
//
// It records about Ops + 4·Agents + 2 events (the agents' start, begin, end
// and join, the buffer's init). Operations are drawn from Seed; the
// interleaving is the scheduler's.
type Random struct {
	Agents    int
	Locations int
	Ops       int
	Plain     float64 // the probability of a plain access, in [0, 1]
	Seed      uint64
}

// Atomics8x1000 is the history of Random{8 agents, 1,000 locations, ops
// operations, all seq-cst}: BenchmarkLinearizable100k's input with ops
// 100,000.
func Atomics8x1000(ops int) (*history.History, error) {
	return Random{Agents: 8, Locations: 1000, Ops: ops, Seed: 1}.Run()
}

// AtomicsHot is the history of Random{8 agents, one location, ops
// operations, all seq-cst}: the hard case for a linearizability checker
// (BenchmarkLinearizableHot: 10,000 operations).
func AtomicsHot(ops int) (*history.History, error) {
	return Random{Agents: 8, Locations: 1, Ops: ops, Seed: 1}.Run()
}

// Mixed4 is the history of Random{4 agents, 16 locations, ops operations,
// half of them plain}: BenchmarkConformance's and BenchmarkRaces' kind of
// input (Unordered accesses from 4 agents).
func Mixed4(ops int) (*history.History, error) {
	return Random{Agents: 4, Locations: 16, Ops: ops, Plain: 0.5, Seed: 1}.Run()
}

// Run runs the workload and returns its history: an error for Agents < 1,
// Locations < 1 (or more than 1<<24), Ops < 0 or Plain outside [0, 1].
func (r Random) Run() (*history.History, error) {
	if err := need("Random needs Agents ≥ 1, 1 ≤ Locations ≤ 1<<24, Ops ≥ 0 and Plain in [0, 1]",
		r.Agents >= 1 && r.Locations >= 1 && r.Locations <= 1<<24 && r.Ops >= 0 && r.Plain >= 0 && r.Plain <= 1); err != nil {
		return nil, err
	}
	s := newSession("random")
	buf, err := s.buffer(4 * r.Locations)
	if err != nil {
		return s.finish(err)
	}
	v := view(buf, shared.Int32, 0, r.Locations, &err)
	if err != nil {
		return s.finish(err)
	}
	err = s.run(r.Agents, "agent", func(a int, me *shared.Agent) error {
		rng := rand.New(rand.NewPCG(r.Seed, uint64(a)))
		mv := v.For(me)
		seen := make(map[int]int64)
		n := r.Ops / r.Agents
		if a < r.Ops%r.Agents {
			n++
		}
		for k := 0; k < n; k++ {
			i := rng.IntN(r.Locations)
			x := int64(rng.IntN(16))
			var got int64
			var err error
			if r.Plain > 0 && rng.Float64() < r.Plain {
				if rng.IntN(2) == 0 {
					got, err = mv.GetInt(i)
				} else {
					err = mv.SetInt(i, x)
				}
			} else {
				switch rng.IntN(9) {
				case 0:
					got, err = atomics.Load(mv, i)
				case 1:
					_, err = atomics.Store(mv, i, x)
				case 2:
					got, err = atomics.Add(mv, i, x)
				case 3:
					got, err = atomics.Sub(mv, i, x)
				case 4:
					got, err = atomics.And(mv, i, x)
				case 5:
					got, err = atomics.Or(mv, i, x)
				case 6:
					got, err = atomics.Xor(mv, i, x)
				case 7:
					got, err = atomics.Exchange(mv, i, x)
				default:
					got, err = atomics.CompareExchange(mv, i, seen[i], x)
				}
			}
			if err != nil {
				return err
			}
			seen[i] = got
		}
		return nil
	})
	return s.finish(err)
}
