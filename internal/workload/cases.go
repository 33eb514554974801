package workload

import (
	"errors"
	"math/rand/v2"
	"runtime"
	"time"

	"github.com/sabre-mm/sabre/atomics"
	"github.com/sabre-mm/sabre/history"
	"github.com/sabre-mm/sabre/shared"
)

// The workloads' default Configs (Cases lists them too).
var (
	subWordDefault  = Config{Agents: 4, Iterations: 50, Seed: 1}
	tearingDefault  = Config{Agents: 4, Iterations: 100, Seed: 1}
	casDefault      = Config{Agents: 4, Iterations: 20, Seed: 1}
	waitDefault     = Config{Agents: 4, Iterations: 6, Seed: 1}
	staleDefault    = Config{Agents: 3, Iterations: 50, Seed: 1}
	queueDefault    = Config{Agents: 4, Iterations: 20, Seed: 1}
	passingDefault  = Config{Agents: 4, Iterations: 20, Seed: 1}
	staleMsgDefault = Config{Agents: 4, Iterations: 20, Seed: 1}
)

// The workloads' bounds and timeouts.
const (
	waitTimeout     = 30 * time.Millisecond  // a Wait's timeout in WaitNotify
	getTimeout      = 30 * time.Millisecond  // a Queue get's timeout in QueueContention
	putTimeout      = 500 * time.Millisecond // a Queue put's timeout in QueueContention
	maxSpin         = 2_000                  // the most polls of a spin loop (MessagePassing, StaleMessage)
	spinYields      = 16                     // the polls that yield before the spin loop pauses
	spinPause       = 10 * time.Microsecond  // the spin loop's first pause (each doubles the last, up to maxPause)
	queueMaxsize    = 2                      // QueueContention's queue
	maxCASAttempts  = 8                      // CASLoop's attempts per iteration
	notifyPause     = 100 * time.Microsecond // WaitNotify's first pause between polls, or after a notify that woke nobody
	maxPause        = 2 * time.Millisecond   // WaitNotify's longest pause (each pause doubles the last)
	enqueueDelay    = time.Millisecond       // WaitNotify's pause for the round's waiters to enqueue
	arrivalDeadline = 2 * time.Second        // WaitNotify's bound on a round's arrivals
)

// SubWordCounters: Agents agents each make Iterations Atomics.add(1) on
// the two Int16 elements of one 32-bit word, alternating between them
// (agent a's iteration i adds to element (a+i) mod 2); then the main agent
// loads both. Agents × Iterations must stay below 65536, so that no
// counter wraps and no two adds of one element read the same value.
// Exposes mutant.SubWordRMWLoadStore (symptom: LostUpdate).
func SubWordCounters(cfg Config) (*history.History, error) {
	cfg = cfg.With(subWordDefault)
	if err := need("SubWordCounters needs Agents ≥ 1, Iterations ≥ 1 and Agents × Iterations < 65536",
		cfg.Agents >= 1 && cfg.Iterations >= 1 && cfg.Agents*cfg.Iterations < 1<<16); err != nil {
		return nil, err
	}
	s := newSession("subword-counters")
	buf, err := s.buffer(4)
	if err != nil {
		return s.finish(err)
	}
	v := view(buf, shared.Int16, 0, 2, &err)
	if err != nil {
		return s.finish(err)
	}
	err = s.run(cfg.Agents, "adder", func(a int, me *shared.Agent) error {
		mv := v.For(me)
		for i := 0; i < cfg.Iterations; i++ {
			if _, err := atomics.Add(mv, (a+i)%2, 1); err != nil {
				return err
			}
		}
		return nil
	})
	for e := 0; e < 2 && err == nil; e++ {
		_, err = atomics.Load(v.For(s.main), e)
	}
	return s.finish(err)
}

// Tearing64: Agents agents share one BigInt64 element; the first half of
// them (at least one) are writers that Atomics.store, Iterations times, one
// of two patterns x and ^x (x drawn from Seed, with distinct halves), the
// others (at least one) are readers that Atomics.load it Iterations times.
// Every load must return 0, x or ^x. Exposes mutant.Store64Halves
// (symptom: TornRead).
func Tearing64(cfg Config) (*history.History, error) {
	cfg = cfg.With(tearingDefault)
	if err := need("Tearing64 needs Agents ≥ 2 and Iterations ≥ 1", cfg.Agents >= 2 && cfg.Iterations >= 1); err != nil {
		return nil, err
	}
	rng := rand.New(rand.NewPCG(cfg.Seed, 64))
	var x uint64
	for uint32(x) == 0 || x>>32 == 0 || uint32(x) == uint32(x>>32) || uint32(^x) == 0 || ^x>>32 == 0 {
		x = rng.Uint64()
	}
	patterns := [2]int64{int64(x), int64(^x)}
	s := newSession("tearing64")
	buf, err := s.buffer(8)
	if err != nil {
		return s.finish(err)
	}
	v := view(buf, shared.BigInt64, 0, 1, &err)
	if err != nil {
		return s.finish(err)
	}
	writers := cfg.Agents / 2
	err = s.run(cfg.Agents, "agent", func(a int, me *shared.Agent) error {
		mv := v.For(me)
		for i := 0; i < cfg.Iterations; i++ {
			var err error
			if a < writers {
				_, err = atomics.Store(mv, 0, patterns[(a+i)%2])
			} else {
				_, err = atomics.Load(mv, 0)
			}
			if err != nil {
				return err
			}
		}
		return nil
	})
	return s.finish(err)
}

// CASLoop: Agents agents (at most 127) each run Iterations increments of
// one Int32 element by compare-and-swap loops: Atomics.load the element,
// then Atomics.compareExchange(seen, replacement) with a replacement never
// used before (agent a's k-th attempt replaces with (a+1)<<24 | k), retrying
// with the value the failing one returned, at most 8 attempts (a yield
// between load and exchange on every second iteration widens the window
// for failures). Every third iteration it also makes a compareExchange that
// must fail (it expects -1, which nobody writes) and loads the element
// right after it. Exposes mutant.CASWritesOnFailure (symptom:
// ReadOfFailedCAS).
func CASLoop(cfg Config) (*history.History, error) {
	cfg = cfg.With(casDefault)
	if err := need("CASLoop needs 1 ≤ Agents ≤ 127 and 1 ≤ Iterations ≤ 1<<20",
		cfg.Agents >= 1 && cfg.Agents <= 127 && cfg.Iterations >= 1 && cfg.Iterations <= 1<<20); err != nil {
		return nil, err
	}
	s := newSession("cas-loop")
	buf, err := s.buffer(4)
	if err != nil {
		return s.finish(err)
	}
	v := view(buf, shared.Int32, 0, 1, &err)
	if err != nil {
		return s.finish(err)
	}
	err = s.run(cfg.Agents, "caser", func(a int, me *shared.Agent) error {
		mv := v.For(me)
		k := int64(0)
		next := func() int64 { k++; return int64(a+1)<<24 | k }
		for i := 0; i < cfg.Iterations; i++ {
			seen, err := atomics.Load(mv, 0)
			if err != nil {
				return err
			}
			if i%2 == 1 {
				runtime.Gosched()
			}
			for try := 0; try < maxCASAttempts; try++ {
				got, err := atomics.CompareExchange(mv, 0, seen, next())
				if err != nil {
					return err
				}
				if got == seen {
					break
				}
				seen = got
			}
			if i%3 == 2 {
				if _, err := atomics.CompareExchange(mv, 0, -1, next()); err != nil {
					return err
				}
				if _, err := atomics.Load(mv, 0); err != nil {
					return err
				}
			}
		}
		return nil
	})
	return s.finish(err)
}

// WaitNotify: Agents waiters and one notifier share an Int32 location that
// stays 0. In each of Iterations rounds every waiter announces itself
// (Atomics.add on an arrival counter) and Atomics.waits on the location
// for 0 with a 30 ms timeout; the notifier polls the arrival counter
// (pausing 0.1 ms, doubling up to 2 ms, between polls; at most 2 s) until
// the round's waiters have all arrived, pauses 1 ms so that they enqueue,
// and then notifies with count 1 until it has woken Agents waiters in the
// round or 60 ms have passed (pausing after a notify that woke nobody:
// 0.1 ms, doubling up to 2 ms).
// Waiters are woken oldest first, and a wait ends "ok" exactly when a
// notify woke it. Exposes mutant.NotifyNewestFirst (symptom:
// NotifyNotFIFO) and mutant.NotifyLosesWakeup (symptom: LostWakeup).
func WaitNotify(cfg Config) (*history.History, error) {
	cfg = cfg.With(waitDefault)
	if err := need("WaitNotify needs Agents ≥ 1 and Iterations ≥ 1", cfg.Agents >= 1 && cfg.Iterations >= 1); err != nil {
		return nil, err
	}
	s := newSession("wait-notify")
	buf, err := s.buffer(8)
	if err != nil {
		return s.finish(err)
	}
	v := view(buf, shared.Int32, 0, 2, &err) // [0]: the location waited on; [1]: arrivals
	if err != nil {
		return s.finish(err)
	}
	const loc, arrivals = 0, 1
	err = s.run(cfg.Agents+1, "agent", func(a int, me *shared.Agent) error {
		mv := v.For(me)
		if a < cfg.Agents { // a waiter
			for r := 0; r < cfg.Iterations; r++ {
				if _, err := atomics.Add(mv, arrivals, 1); err != nil {
					return err
				}
				if _, err := atomics.Wait(mv, loc, 0, waitTimeout); err != nil {
					return err
				}
			}
			return nil
		}
		for r := 1; r <= cfg.Iterations; r++ {
			deadline := time.Now().Add(arrivalDeadline)
			for pause := notifyPause; ; pause = min(2*pause, maxPause) {
				n, err := atomics.Load(mv, arrivals)
				if err != nil {
					return err
				}
				if n >= int64(r*cfg.Agents) || time.Now().After(deadline) {
					break
				}
				time.Sleep(pause)
			}
			time.Sleep(enqueueDelay)
			roundEnd := time.Now().Add(2 * waitTimeout)
			pause := notifyPause
			for woken := 0; woken < cfg.Agents && time.Now().Before(roundEnd); {
				n, err := atomics.Notify(mv, loc, 1)
				if err != nil {
					return err
				}
				woken += n
				if n == 0 {
					time.Sleep(pause)
					pause = min(2*pause, maxPause)
				}
			}
		}
		return nil
	})
	return s.finish(err)
}

// StaleLoad: Agents agents share one Int32 element. Agent 0, the writer,
// Atomics.stores 1, 2, … Iterations, and Atomics.loads the element after
// each store (a load after a write that completed, in agent-order); the
// others, readers, Atomics.load it Iterations times, yielding between
// loads. No load may return a value older than a store that returned before
// the load began. Exposes mutant.LoadStale (symptom: StaleRead).
func StaleLoad(cfg Config) (*history.History, error) {
	cfg = cfg.With(staleDefault)
	if err := need("StaleLoad needs Agents ≥ 1 and Iterations ≥ 1", cfg.Agents >= 1 && cfg.Iterations >= 1); err != nil {
		return nil, err
	}
	s := newSession("stale-load")
	buf, err := s.buffer(4)
	if err != nil {
		return s.finish(err)
	}
	v := view(buf, shared.Int32, 0, 1, &err)
	if err != nil {
		return s.finish(err)
	}
	err = s.run(cfg.Agents, "agent", func(a int, me *shared.Agent) error {
		mv := v.For(me)
		for i := 1; i <= cfg.Iterations; i++ {
			if a == 0 {
				if _, err := atomics.Store(mv, 0, int64(i)); err != nil {
					return err
				}
			} else {
				runtime.Gosched()
			}
			if _, err := atomics.Load(mv, 0); err != nil {
				return err
			}
		}
		return nil
	})
	return s.finish(err)
}

// QueueContention: a Queue of maxsize 2; the first half of Agents (at
// least one) are producers that each put Iterations distinct integers
// (waiting up to 500 ms for room), the others (at least one) consumers
// that get (waiting up to 30 ms) and count what they received with
// Atomics.add, until every item is counted or a get finds the queue
// empty; then the main agent drains the queue without waiting. Every item
// a put reported is received by exactly one get. Exposes
// mutant.QueueDropsItem (symptom: DroppedItem).
func QueueContention(cfg Config) (*history.History, error) {
	cfg = cfg.With(queueDefault)
	if err := need("QueueContention needs Agents ≥ 2 and Iterations ≥ 1", cfg.Agents >= 2 && cfg.Iterations >= 1); err != nil {
		return nil, err
	}
	s := newSession("queue-contention")
	buf, err := s.buffer(4)
	if err != nil {
		return s.finish(err)
	}
	received := view(buf, shared.Int32, 0, 1, &err)
	if err != nil {
		return s.finish(err)
	}
	q := shared.NewQueue(queueMaxsize)
	producers := cfg.Agents / 2
	total := int64(producers * cfg.Iterations)
	err = s.run(cfg.Agents, "agent", func(a int, me *shared.Agent) error {
		mq := q.For(me)
		if a < producers {
			for i := 0; i < cfg.Iterations; i++ {
				err := mq.PutTimeout(a*cfg.Iterations+i, putTimeout)
				if err != nil && !errors.Is(err, shared.QueueFull) {
					return err
				}
			}
			return nil
		}
		mr := received.For(me)
		for {
			if _, err := mq.GetTimeout(getTimeout); err != nil {
				if errors.Is(err, shared.QueueEmpty) {
					return nil
				}
				return err
			}
			n, err := atomics.Add(mr, 0, 1)
			if err != nil {
				return err
			}
			if n+1 >= total {
				return nil
			}
		}
	})
	for mq := q.For(s.main); err == nil; {
		if _, e := mq.GetNowait(); e != nil {
			if !errors.Is(e, shared.QueueEmpty) {
				err = e
			}
			break
		}
	}
	return s.finish(err)
}

// MessagePassing: Agents/2 pairs (at least one) of a writer and a reader,
// each pair with its own Int32 data array of Iterations elements and a
// flag. The writer, for each i, writes data[i] = i+1 with a plain store
// and then Atomics.stores i+1 to the flag; the reader, for each i, polls
// the flag with Atomics.load until it holds at least i+1 (yielding after
// each of the first 16 polls, then pausing 10 µs, doubling up to 2 ms; at
// most 2,000 polls), and then reads data[i] with a plain load. The seq-cst store synchronizes-with the load that reads it, so the
// plain accesses do not race. Exposes mutant.StoreNotSeqCst (symptom:
// MissingSynchronizesWith).
func MessagePassing(cfg Config) (*history.History, error) {
	cfg = cfg.With(passingDefault)
	if err := need("MessagePassing needs Agents ≥ 2 and 1 ≤ Iterations < 1<<30",
		cfg.Agents >= 2 && cfg.Iterations >= 1 && cfg.Iterations < 1<<30); err != nil {
		return nil, err
	}
	pairs := cfg.Agents / 2
	s := newSession("message-passing")
	n := cfg.Iterations + 1
	buf, err := s.buffer(4 * n * pairs)
	if err != nil {
		return s.finish(err)
	}
	views := make([]*shared.TypedArray, pairs)
	for p := range views {
		views[p] = view(buf, shared.Int32, 4*n*p, n, &err) // data[0 … Iterations-1], then the flag
	}
	if err != nil {
		return s.finish(err)
	}
	flag := cfg.Iterations
	err = s.run(2*pairs, "agent", func(a int, me *shared.Agent) error {
		mv := views[a/2].For(me)
		for i := 0; i < cfg.Iterations; i++ {
			if a%2 == 0 { // the writer
				if err := mv.SetInt(i, int64(i+1)); err != nil {
					return err
				}
				if _, err := atomics.Store(mv, flag, int64(i+1)); err != nil {
					return err
				}
				continue
			}
			if ready, err := spinUntil(mv, flag, int64(i+1)); err != nil || !ready {
				return err // !ready: the writer is stuck: stop (the history stays valid)
			}
			if _, err := mv.GetInt(i); err != nil {
				return err
			}
		}
		return nil
	})
	return s.finish(err)
}

// spinUntil polls element at of mv with Atomics.load until it holds at
// least want (yielding after each of the first 16 polls, then pausing
// 10 µs, doubling up to 2 ms; at most 2,000 polls), and reports whether it
// did.
func spinUntil(mv *shared.TypedArray, at int, want int64) (bool, error) {
	pause := spinPause
	for spin := 0; spin < maxSpin; spin++ {
		f, err := atomics.Load(mv, at)
		if err != nil {
			return false, err
		}
		switch {
		case f >= want:
			return true, nil
		case spin < spinYields:
			runtime.Gosched()
		default:
			time.Sleep(pause)
			pause = min(2*pause, maxPause)
		}
	}
	return false, nil
}

// StaleMessage: Agents/2 pairs (at least one) of a writer and a reader,
// each pair with its own Int32 data array of Iterations elements, a flag
// and a ready element. In each round i the reader plain-reads data[i]
// (nothing wrote it yet: 0), announces that with Atomics.store(ready,
// i+1), polls the flag with Atomics.load until it holds at least i+1 (as
// MessagePassing polls), and plain-reads data[i] again; the writer polls
// ready until it holds at least i+1, then writes data[i] = i+1 with a
// plain store and Atomics.stores i+1 to the flag. The write
// happens-before the second read (agent-order to the seq-cst flag store,
// which synchronizes-with the load that reads it, then agent-order), so
// that read must return i+1: returning the 0 the first read returned
// breaks ECMA-262's Coherent Reads. The first read happens-before the
// write (through ready), so no plain access races. Exposes
// mutant.PlainLoadStale (symptom: StaleAfterSync).
func StaleMessage(cfg Config) (*history.History, error) {
	cfg = cfg.With(staleMsgDefault)
	if err := need("StaleMessage needs Agents ≥ 2 and 1 ≤ Iterations < 1<<30",
		cfg.Agents >= 2 && cfg.Iterations >= 1 && cfg.Iterations < 1<<30); err != nil {
		return nil, err
	}
	pairs := cfg.Agents / 2
	s := newSession("stale-message")
	n := cfg.Iterations + 2
	buf, err := s.buffer(4 * n * pairs)
	if err != nil {
		return s.finish(err)
	}
	views := make([]*shared.TypedArray, pairs)
	for p := range views {
		views[p] = view(buf, shared.Int32, 4*n*p, n, &err) // data[0 … Iterations-1], the flag, ready
	}
	if err != nil {
		return s.finish(err)
	}
	flag, ready := cfg.Iterations, cfg.Iterations+1
	err = s.run(2*pairs, "agent", func(a int, me *shared.Agent) error {
		mv := views[a/2].For(me)
		for i := 0; i < cfg.Iterations; i++ {
			round := int64(i + 1)
			if a%2 == 0 { // the writer
				if ok, err := spinUntil(mv, ready, round); err != nil || !ok {
					return err // !ok: the reader is stuck: stop (the history stays valid)
				}
				if err := mv.SetInt(i, round); err != nil {
					return err
				}
				if _, err := atomics.Store(mv, flag, round); err != nil {
					return err
				}
				continue
			}
			if _, err := mv.GetInt(i); err != nil {
				return err
			}
			if _, err := atomics.Store(mv, ready, round); err != nil {
				return err
			}
			if ok, err := spinUntil(mv, flag, round); err != nil || !ok {
				return err // !ok: the writer is stuck: stop
			}
			if _, err := mv.GetInt(i); err != nil {
				return err
			}
		}
		return nil
	})
	return s.finish(err)
}
