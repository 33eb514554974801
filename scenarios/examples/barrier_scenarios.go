package examples

import (
	"fmt"

	"github.com/anishathalye/porcupine"
	"github.com/sabre-mm/sabre/checker"
	"github.com/sabre-mm/sabre/scenarios"
	"github.com/sabre-mm/sabre/shared"
)

// BarrierOp is an operation of the Barrier scenarios, as they record it
// with World.Call: each Await is two operations, Kind "arrive" (Output
// the bool Await returned: serial) and "depart" (Output nil), by the agent
// numbered Agent.
type BarrierOp struct {
	Kind  string
	Agent int
}

// MaxBarrierParties is the most parties BarrierSpec and the Barrier
// scenarios handle.
const MaxBarrierParties = 8

// barrierState counts each party's arrivals and departures.
type barrierState struct {
	arrived, departed [MaxBarrierParties]int32
}

// BarrierSpec returns the sequential specification of a cyclic barrier of
// parties parties (1 … MaxBarrierParties), over BarrierOp inputs.
//
// A barrier's Await has no sequential specification as one operation (it
// returns only once the others have called theirs), so each Await is
// split into an arrival and a departure, both recorded over the whole
// call (each may take effect at any instant of it): "arrive" by a is
// allowed when a is not inside an Await (its arrivals equal its
// departures), and returns true exactly when it is the last of the
// parties to arrive in a's generation; "depart" by a is allowed once a has
// arrived and every party has arrived in a's generation. A history
// linearizable against it has no party leave generation k before every
// party has called its k-th Await, and one serial party per generation.
func BarrierSpec(parties int) porcupine.Model {
	return porcupine.Model{
		Init: func() any { return barrierState{} },
		Step: func(state, input, output any) (bool, any) {
			s, op := state.(barrierState), input.(BarrierOp)
			a := op.Agent
			if a < 0 || a >= parties {
				return false, s
			}
			switch op.Kind {
			case "arrive":
				if s.arrived[a] != s.departed[a] {
					return false, s
				}
				s.arrived[a]++
				in := 0 // parties that have arrived in a's generation
				for p := range parties {
					if s.arrived[p] >= s.arrived[a] {
						in++
					}
				}
				if output != (in == parties) {
					return false, s
				}
			case "depart":
				if s.arrived[a] != s.departed[a]+1 {
					return false, s
				}
				for p := range parties {
					if s.arrived[p] < s.arrived[a] {
						return false, s
					}
				}
				s.departed[a]++
			default:
				return false, s
			}
			return true, s
		},
		DescribeOperation: func(input, output any) string {
			op := input.(BarrierOp)
			if op.Kind == "arrive" {
				return fmt.Sprintf("P%d: arrive() → serial %v", op.Agent, output)
			}
			return fmt.Sprintf("P%d: depart()", op.Agent)
		},
	}
}

// The layout of the Barrier scenarios' buffer "m" (Int32 elements).
const (
	barrierCount = 0 // the arrivals of the current generation
	barrierData  = 2 // then two banks of one plain slot per party
)

// BarrierPhases returns "Barrier+NxK": N parties go through K phases
// separated by one reusable Barrier; in each phase every party writes its
// slot (plain) and, after the barrier, reads every party's.
//
// Shape (buffer "m": count, generation, then two banks of N slots, the
// phases alternating between them; all 0 at first):
//
//	Pi, phase k = 0 … K-1:  bank[k%2][i] = 10·k + i + 1          // plain
//	                        serial = barrier.Await()
//	                        sum = Σ_j bank[k%2][j]                 // plain
//
// Reports "Pi:sum<k>" for each party and phase. Each Await is recorded as
// the two operations of BarrierSpec (BarrierOp).
//
// Expected, in every execution the model allows: the operations are
// linearizable against BarrierSpec(N); every sum is Σ_j (10·k + j + 1)
// (each party reads what every party wrote in that phase: the barrier
// orders the writes before the reads by happens-before); no data race (a
// bank is written again two phases later, after a barrier that every
// reader of the last phase has arrived at); no deadlock. Errors: N outside
// 1 … MaxBarrierParties or K below 1 fails the setup.
func BarrierPhases(parties, phases int) *scenarios.Scenario {
	return barrierScenario(fmt.Sprintf("Barrier+%dx%d", parties, phases),
		fmt.Sprintf("%d parties go through %d phases of a reusable futex barrier (count and generation), each writing a plain slot "+
			"before it and reading all after: linearizable against an arrive/depart barrier spec, no data race, no deadlock.", parties, phases),
		parties, phases, "", func(x *shared.TypedArray) (awaiter, error) { return NewBarrier(x, barrierCount, parties) })
}

// BarrierNoGeneration returns "Barrier+no-generation": BarrierPhases(3, 1)
// with a barrier that has no generation: a waiter sleeps until the count
// differs from what its own arrival made it.
//
// Shape: as BarrierPhases(3, 1), with
//
//	Await():  n = Atomics.add(c, 1) + 1
//	          if n == parties { Atomics.store(c, 0); Atomics.notify(c, +∞); return true }
//	          Atomics.wait(c, n); return false      // the bug: any change releases
//
// The bug: P0 arrives (the count is 1), P1 arrives (2), and P0's wait,
// checking the count after that, finds 2, not 1, and returns: P0 leaves
// before P2 has arrived, a fast party let through the barrier. Its reads
// of the other slots are not ordered after their writes by happens-before
// (checker.Race reports the data race, the first check to fail when P2 has
// already written its slot and called Await), and where P2 has not called
// Await yet its departure is not linearizable against BarrierSpec(3) and
// its sum is wrong; the explorer reports a failed check
// (scenarios.FailCheck). (With two parties and two
// phases the same barrier deadlocks instead: a party released in phase 0
// and arriving again makes the count 1, which is what the slow party,
// not yet awake, waits to see change.)
func BarrierNoGeneration() *scenarios.Scenario {
	return barrierScenario("Barrier+no-generation",
		"A barrier without a generation, whose waiters sleep until the arrival count changes: another arrival changes it too, "+
			"and a party leaves before the last one has arrived — not linearizable against the barrier's spec (a failed check).",
		3, 1, scenarios.FailCheck, func(x *shared.TypedArray) (awaiter, error) {
			b, err := NewBarrier(x, barrierCount, 3)
			if err != nil {
				return nil, err
			}
			return &countBarrier{*b}, nil
		})
}

// BarrierWakeBeforeReset returns "Barrier+wake-before-reset":
// BarrierPhases(2, 2) with a bug in the last arrival: it bumps the
// generation and notifies before it resets the count.
//
// Shape: as BarrierPhases(2, 2), with the last arrival doing
//
//	Atomics.add(g, 1); Atomics.notify(g, +∞); Atomics.store(c, 0)   // the bug: reset last
//
// The bug: P1 arrives last in phase 0 and releases P0, which runs on into
// phase 1 and arrives (the count goes from 2 to 3, not the 2 of a last
// arrival: P0 waits); P1 then stores 0, erasing P0's arrival, and arrives
// in phase 1 as the first (count 1): both wait for an arrival that never
// comes, a deadlock (scenarios.FailDeadlock).
func BarrierWakeBeforeReset() *scenarios.Scenario {
	return barrierScenario("Barrier+wake-before-reset",
		"A reusable barrier whose last arrival releases the generation before it resets the count: a released party's next "+
			"arrival is erased by the reset, and the next phase never completes (a deadlock).",
		2, 2, scenarios.FailDeadlock, func(x *shared.TypedArray) (awaiter, error) {
			b, err := NewBarrier(x, barrierCount, 2)
			if err != nil {
				return nil, err
			}
			return &wakeFirstBarrier{*b}, nil
		})
}

func barrierScenario(name, doc string, parties, phases int, fails scenarios.FailureKind, mk func(*shared.TypedArray) (awaiter, error)) *scenarios.Scenario {
	return &scenarios.Scenario{
		Name:   name,
		Doc:    doc,
		Fails:  fails,
		Checks: []checker.Check{checker.Race},
		Setup: func(w *scenarios.World) error {
			if parties < 1 || parties > MaxBarrierParties || phases < 1 {
				return fmt.Errorf("%s: %d parties and %d phases, want 1 … %d parties and at least 1 phase", name, parties, phases, MaxBarrierParties)
			}
			buf := w.Buffer("m", 4*(barrierData+2*parties))
			for p := range parties {
				w.Agent(fmt.Sprintf("P%d", p), func(a *shared.Agent) error {
					x, err := shared.View(buf.For(a), shared.Int32)
					if err != nil {
						return err
					}
					b, err := mk(x)
					if err != nil {
						return err
					}
					for k := range phases {
						bank := barrierData + (k%2)*parties
						if err := x.SetInt(bank+p, int64(10*k+p+1)); err != nil {
							return err
						}
						arrived := w.Call(a, BarrierOp{"arrive", p})
						departed := w.Call(a, BarrierOp{"depart", p})
						serial, err := b.Await()
						if err != nil {
							return err
						}
						arrived(serial)
						departed(nil)
						var sum int64
						for j := range parties {
							v, err := x.GetInt(bank + j)
							if err != nil {
								return err
							}
							sum += v
						}
						w.Report(a, fmt.Sprintf("sum%d", k), sum)
					}
					return nil
				})
			}
			return nil
		},
		Check: func(o *scenarios.Outcome) error {
			if err := scenarios.CheckLinearizable(o, BarrierSpec(parties), 0); err != nil {
				return err
			}
			for k := range phases {
				want := int64(0)
				for j := range parties {
					want += int64(10*k + j + 1)
				}
				for p := range parties {
					key := fmt.Sprintf("P%d:sum%d", p, k)
					if got, ok := o.Values[key]; !ok || got != want {
						return fmt.Errorf("%s = %d (reported %v), want %d: a party read a slot before its phase's write", key, got, ok, want)
					}
				}
			}
			return nil
		},
	}
}
