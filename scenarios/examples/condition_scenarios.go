package examples

import (
	"fmt"

	"github.com/anishathalye/porcupine"
	"github.com/sabre-mm/sabre/checker"
	"github.com/sabre-mm/sabre/scenarios"
	"github.com/sabre-mm/sabre/shared"
)

// QueueOp is an operation of the Condition queue scenarios, as they record
// it with World.Call: Kind "put" (Value the item put, Output nil) or
// "take" (Output the int64 item taken), by the agent numbered Agent.
type QueueOp struct {
	Kind  string
	Agent int
	Value int64
}

// QueueSpec is the sequential specification of a FIFO queue whose take
// blocks while it is empty, over QueueOp inputs: "put" appends its value;
// "take" is allowed only when the queue is not empty, and returns (and
// removes) its head. Checking the object a Condition guards, rather than
// the Condition, is what makes its behaviour checkable: a condition
// variable has no sequential specification of its own (a Wait may return
// without a signal of its own), but the blocking queue built with it has,
// and a lost wake-up shows as a take that never returns (a deadlock).
var QueueSpec = porcupine.Model{
	Init: func() any { return "" },
	Step: func(state, input, output any) (bool, any) {
		q, op := state.(string), input.(QueueOp)
		switch op.Kind {
		case "put":
			return true, q + fmt.Sprintf("%d,", op.Value)
		case "take":
			var head int64
			n, err := fmt.Sscanf(q, "%d,", &head)
			if n != 1 || err != nil || output != head {
				return false, q
			}
			return true, q[len(fmt.Sprintf("%d,", head)):]
		}
		return false, q
	},
	DescribeOperation: func(input, output any) string {
		op := input.(QueueOp)
		if op.Kind == "put" {
			return fmt.Sprintf("P%d: put(%d)", op.Agent, op.Value)
		}
		return fmt.Sprintf("P%d: take() → %v", op.Agent, output)
	},
}

// The layout of the Condition scenarios' buffer "m" (Int32 elements).
const (
	condLock  = 0 // the Mutex
	condSeq   = 1 // the Condition's counter
	condHead  = 2 // queue: the next item to take (plain); gate: the open flag (plain)
	condTail  = 3 // queue: the next free slot (plain)
	condItems = 4 // queue: the items (plain), one slot per item put
)

// ConditionQueue returns "Condition+queue+CxR": a producer puts C·R items
// (1, 2, …) in a FIFO queue in shared memory, guarded by a Mutex, and
// signals a Condition after each; consumers P1 … PC each take R items,
// waiting on the Condition while the queue is empty.
//
// Shape (buffer "m": lock, counter, head, tail, then C·R item slots; all
// 0 at first; the queue's cells are plain):
//
//	P0, k = 1 … C·R:  lock; items[tail] = k; tail++; cond.Signal(); unlock
//	Pi, R times:      lock; while head == tail { cond.Wait(lock) }
//	                  v = items[head]; head++; unlock
//
// Each put and take (from before its lock to after its unlock) is an
// operation recorded with World.Call (QueueOp). Reports nothing.
//
// Expected, in every execution the model allows: the operations are
// linearizable against QueueSpec (items taken in the order put, each once,
// none before it is put); no data race on the queue's plain cells
// (checker.Race); no deadlock (a lost wake-up leaves a consumer asleep
// with the queue not empty, or a consumer waiting forever for a signal
// already sent). Errors: C or R below 1 fails the setup.
func ConditionQueue(consumers, rounds int) *scenarios.Scenario {
	return conditionQueue(fmt.Sprintf("Condition+queue+%dx%d", consumers, rounds),
		fmt.Sprintf("A producer puts %d items in a mutex-guarded FIFO queue and signals a futex condition variable after each; "+
			"%d consumer(s) take %d each, waiting on the condition while it is empty: linearizable as a blocking queue, no data race, no lost wake-up.",
			consumers*rounds, consumers, rounds),
		consumers, rounds, "", func(s *shared.TypedArray) (waiter, error) { return NewCondition(s, condSeq) })
}

// ConditionSeqAfterUnlock returns "Condition+seq-after-unlock":
// ConditionQueue(1, 1) with a bug in Condition.Wait: it reads the counter
// after releasing the lock.
//
// Shape: as ConditionQueue(1, 1), with
//
//	Wait(L):  L.Unlock(); seq = Atomics.load(s)   // the bug: too late
//	          Atomics.wait(s, seq); L.Lock()
//
// The bug: the consumer finds the queue empty and unlocks; the producer
// locks, puts, signals (the counter goes 0 → 1; nobody sleeps yet, so the
// notify wakes nobody) and unlocks; the consumer then loads 1 and sleeps
// until the counter leaves 1 — which it never does. The signal is lost; the
// explorer reports the deadlock (scenarios.FailDeadlock) with its schedule.
func ConditionSeqAfterUnlock() *scenarios.Scenario {
	return conditionQueue("Condition+seq-after-unlock",
		"A futex condition variable whose wait reads its sequence counter after releasing the mutex: a signal between the "+
			"unlock and the load is lost, and the consumer sleeps forever with an item in the queue (a deadlock).",
		1, 1, scenarios.FailDeadlock, func(s *shared.TypedArray) (waiter, error) {
			c, err := NewCondition(s, condSeq)
			if err != nil {
				return nil, err
			}
			return &lateSeqCondition{*c}, nil
		})
}

func conditionQueue(name, doc string, consumers, rounds int, fails scenarios.FailureKind, mk func(*shared.TypedArray) (waiter, error)) *scenarios.Scenario {
	items := consumers * rounds
	return &scenarios.Scenario{
		Name:   name,
		Doc:    doc,
		Fails:  fails,
		Checks: []checker.Check{checker.Race},
		Setup: func(w *scenarios.World) error {
			if consumers < 1 || rounds < 1 {
				return fmt.Errorf("%s: %d consumers and %d rounds, want at least 1 of each", name, consumers, rounds)
			}
			buf := w.Buffer("m", 4*(condItems+items))
			w.Agent("P0", func(a *shared.Agent) error {
				x, mu, cond, err := condHandles(buf, a, mk)
				if err != nil {
					return err
				}
				for k := 1; k <= items; k++ {
					done := w.Call(a, QueueOp{"put", 0, int64(k)})
					if err := mu.Lock(); err != nil {
						return err
					}
					t, err := x.GetInt(condTail)
					if err != nil {
						return err
					}
					if err := x.SetInt(condItems+int(t), int64(k)); err != nil {
						return err
					}
					if err := x.SetInt(condTail, t+1); err != nil {
						return err
					}
					if err := cond.Signal(); err != nil {
						return err
					}
					if err := mu.Unlock(); err != nil {
						return err
					}
					done(nil)
				}
				return nil
			})
			for c := 1; c <= consumers; c++ {
				w.Agent(fmt.Sprintf("P%d", c), func(a *shared.Agent) error {
					x, mu, cond, err := condHandles(buf, a, mk)
					if err != nil {
						return err
					}
					for range rounds {
						done := w.Call(a, QueueOp{"take", c, 0})
						v, err := take(x, mu, cond)
						if err != nil {
							return err
						}
						done(v)
					}
					return nil
				})
			}
			return nil
		},
		Check: func(o *scenarios.Outcome) error { return scenarios.CheckLinearizable(o, QueueSpec, 0) },
	}
}

// take takes the queue's head, waiting on cond while it is empty.
func take(x *shared.TypedArray, mu Locker, cond waiter) (int64, error) {
	if err := mu.Lock(); err != nil {
		return 0, err
	}
	for {
		h, err := x.GetInt(condHead)
		if err != nil {
			return 0, err
		}
		t, err := x.GetInt(condTail)
		if err != nil {
			return 0, err
		}
		if h != t {
			v, err := x.GetInt(condItems + int(h))
			if err == nil {
				err = x.SetInt(condHead, h+1)
			}
			if err != nil {
				return 0, err
			}
			return v, mu.Unlock()
		}
		if err := cond.Wait(mu); err != nil {
			return 0, err
		}
	}
}

// condHandles makes an agent's view, Mutex and condition variable.
func condHandles(buf *shared.Buffer, a *shared.Agent, mk func(*shared.TypedArray) (waiter, error)) (*shared.TypedArray, Locker, waiter, error) {
	x, err := shared.View(buf.For(a), shared.Int32)
	if err != nil {
		return nil, nil, nil, err
	}
	mu, err := NewMutex(x, condLock)
	if err != nil {
		return nil, nil, nil, err
	}
	cond, err := mk(x)
	if err != nil {
		return nil, nil, nil, err
	}
	return x, mu, cond, nil
}

// GateOp is an operation of ConditionBroadcast, as it records it with
// World.Call: Kind "open" or "pass" (Output nil), by the agent numbered
// Agent.
type GateOp struct {
	Kind  string
	Agent int
}

// GateSpec is the sequential specification of a gate that opens once:
// "open" opens it; "pass" is allowed only once it is open.
var GateSpec = porcupine.Model{
	Init: func() any { return false },
	Step: func(state, input, output any) (bool, any) {
		open, op := state.(bool), input.(GateOp)
		switch op.Kind {
		case "open":
			return true, true
		case "pass":
			return open, open
		}
		return false, open
	},
	DescribeOperation: func(input, output any) string {
		op := input.(GateOp)
		return fmt.Sprintf("P%d: %s()", op.Agent, op.Kind)
	},
}

// ConditionBroadcast returns "Condition+broadcast+N": N waiters wait on a
// Condition until a plain flag, guarded by a Mutex, is set; an opener sets
// it and broadcasts.
//
// Shape (buffer "m": lock, counter, flag; all 0 at first):
//
//	P0:        lock; flag = 1; cond.Broadcast(); unlock      // "open"
//	Pi (1…N):  lock; while flag == 0 { cond.Wait(lock) }; unlock   // "pass"
//
// Expected, in every execution the model allows: linearizable against
// GateSpec (no waiter passes before the gate opens), no data race on the
// flag, and no deadlock: one broadcast wakes every waiter (a Signal would
// wake one, leaving the others asleep). Errors: N below 1 fails the setup.
func ConditionBroadcast(waiters int) *scenarios.Scenario {
	name := fmt.Sprintf("Condition+broadcast+%d", waiters)
	return &scenarios.Scenario{
		Name: name,
		Doc: fmt.Sprintf("%d waiter(s) wait on a futex condition variable for a mutex-guarded flag; the opener sets it and broadcasts: "+
			"nobody passes early (linearizable as a gate), no data race, no lost wake-up.", waiters),
		Checks: []checker.Check{checker.Race},
		Setup: func(w *scenarios.World) error {
			if waiters < 1 {
				return fmt.Errorf("%s: %d waiters, want at least 1", name, waiters)
			}
			buf := w.Buffer("m", 4*(condHead+1))
			mk := func(s *shared.TypedArray) (waiter, error) { return NewCondition(s, condSeq) }
			w.Agent("P0", func(a *shared.Agent) error {
				x, mu, cond, err := condHandles(buf, a, mk)
				if err != nil {
					return err
				}
				done := w.Call(a, GateOp{"open", 0})
				if err := mu.Lock(); err != nil {
					return err
				}
				if err := x.SetInt(condHead, 1); err != nil {
					return err
				}
				if err := cond.Broadcast(); err != nil {
					return err
				}
				if err := mu.Unlock(); err != nil {
					return err
				}
				done(nil)
				return nil
			})
			for p := 1; p <= waiters; p++ {
				w.Agent(fmt.Sprintf("P%d", p), func(a *shared.Agent) error {
					x, mu, cond, err := condHandles(buf, a, mk)
					if err != nil {
						return err
					}
					done := w.Call(a, GateOp{"pass", p})
					if err := mu.Lock(); err != nil {
						return err
					}
					for {
						f, err := x.GetInt(condHead)
						if err != nil {
							return err
						}
						if f != 0 {
							break
						}
						if err := cond.Wait(mu); err != nil {
							return err
						}
					}
					if err := mu.Unlock(); err != nil {
						return err
					}
					done(nil)
					return nil
				})
			}
			return nil
		},
		Check: func(o *scenarios.Outcome) error { return scenarios.CheckLinearizable(o, GateSpec, 0) },
	}
}
