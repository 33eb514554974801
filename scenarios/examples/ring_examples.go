package examples

import (
	"fmt"
	"time"

	"github.com/sabre-mm/sabre/scenarios"
	"github.com/sabre-mm/sabre/shared"
)

// linBudget bounds each linearizability check of the primitives'
// scenarios (their histories have a handful of operations: porcupine
// answers in microseconds; the budget only keeps a regression from
// hanging).
const linBudget = 10 * time.Second

// ringShape is a ring buffer scenario: the ring's capacity, the items the
// producer puts (1, 2, …, items) and the consumer takes, blocking or not,
// and the variant.
type ringShape struct {
	name, doc string
	capacity  int
	items     int
	blocking  bool
	bug       ringBug
	fails     scenarios.FailureKind
}

// RingSPSC returns "Ring+spsc": a single-producer single-consumer ring
// buffer (RingProducer, RingConsumer) of capacity 1 whose producer tries
// to put 1 and then 2 (TryPut) while the consumer tries to get twice
// (TryGet).
//
// Shape (buffer "ring", Int32 elements: head, tail, one slot):
//
//	producer: TryPut(1); TryPut(2)      // each: Atomics.load(head); slot = x; Atomics.store(tail); notify
//	consumer: TryGet(); TryGet()        // each: Atomics.load(tail); x = slot; Atomics.store(head); notify
//
// Reports: "producer:full" (TryPuts that found the ring full),
// "consumer:empty" (TryGets that found it empty), "consumer:got" (the sum
// of the items taken).
//
// Expected (Check): the recorded operations (scenarios.World.Call) are
// linearizable with respect to RingSpec(1), a bounded FIFO queue — no
// item lost, duplicated, reordered or read stale — and (Checks) the
// history has no data race (checker.Race): the plain slot accesses are
// ordered by the index publication (see RingProducer). Under es2024,
// es2017 and sc.
func RingSPSC() *scenarios.Scenario {
	return ringScenario(ringShape{
		name: "Ring+spsc",
		doc: "A single-producer single-consumer ring buffer of capacity 1 in shared memory (plain slots, indices " +
			"published with Atomics): TryPut 1, 2 against TryGet twice; every history is a linearizable bounded FIFO queue " +
			"and has no data race.",
		capacity: 1, items: 2,
	})
}

// RingSPSCBlocking returns "Ring+spsc+blocking": RingSPSC's ring with
// blocking calls: the producer puts 1 and 2 (Put, which sleeps in
// Atomics.wait on the head while the ring is full) and the consumer gets
// twice (Get, which sleeps on the tail while it is empty).
//
// Reports: "consumer:got" (the sum of the items taken, 3),
// "producer:slept" and "consumer:slept" (the waits woken by a notify).
//
// Expected: linearizable with respect to RingSpec(1) (a blocking put on a
// full queue, or get on an empty one, cannot take effect), no data race,
// and no deadlock — no lost wake-up: each index store is followed by a
// notify, and Atomics.wait checks the index and sleeps in one critical
// section with respect to it.
func RingSPSCBlocking() *scenarios.Scenario {
	return ringScenario(ringShape{
		name: "Ring+spsc+blocking",
		doc: "RingSPSC's ring with blocking Put and Get (Atomics.wait on the other end's index, Atomics.notify after " +
			"each index store): linearizable, no data race, and no deadlock (no lost wake-up).",
		capacity: 1, items: 2, blocking: true,
	})
}

// RingSPSCSized returns a ring buffer scenario of the given capacity
// whose producer puts items 1, 2, …, items and whose consumer gets as
// many times, blocking or not — RingSPSC and RingSPSCBlocking are
// RingSPSCSized(1, 2, false) and (1, 2, true), but for their names. Larger
// instances are for pct and random exploration. Its name is
// "Ring+spsc(capacity,items)" with "+blocking" for the blocking calls.
// Capacities and item counts below 1 are taken as 1.
func RingSPSCSized(capacity, items int, blocking bool) *scenarios.Scenario {
	capacity, items = max(capacity, 1), max(items, 1)
	name := fmt.Sprintf("Ring+spsc(%d,%d)", capacity, items)
	if blocking {
		name += "+blocking"
	}
	return ringScenario(ringShape{
		name:     name,
		doc:      fmt.Sprintf("A single-producer single-consumer ring buffer of capacity %d, %d items.", capacity, items),
		capacity: capacity, items: items, blocking: blocking,
	})
}

// RingIndexBeforeData returns "Ring+index-before-data": RingSPSC with
// one item and a bug — the producer publishes the new tail
// (Atomics.store) before it writes the item into the slot.
//
// Shape (capacity 1):
//
//	producer: TryPut(1): Atomics.load(head); Atomics.store(tail, 1); slot = 1   // too late
//	consumer: TryGet():  Atomics.load(tail); if 1 { x = slot; Atomics.store(head, 1) }
//
// The bug: a consumer that runs between the producer's two stores sees
// the tail at 1 and reads the slot before the item is in it: its TryGet
// returns 0, which no order of a FIFO queue's operations explains. Even
// when the consumer comes later, nothing orders the producer's plain
// write of the slot before the consumer's plain read (the write is
// agent-order after the store the consumer's load synchronizes with), so
// reading the 1 is a data race (checker.Race). The explorer finds one or
// the other as a failed check (scenarios.FailCheck) with a schedule that
// replays it.
func RingIndexBeforeData() *scenarios.Scenario {
	return ringScenario(ringShape{
		name: "Ring+index-before-data",
		doc: "A ring buffer whose producer publishes the tail (Atomics.store) before writing the item into its slot: " +
			"the consumer can take the slot before the item is there (TryGet() → 0) or race with its write; the explorer finds it.",
		capacity: 1, items: 1, bug: ringIndexBeforeData, fails: scenarios.FailCheck,
	})
}

// RingPlainIndex returns "Ring+plain-index": RingSPSC with one item and a
// bug — the indices are read and written with plain accesses instead of
// Atomics.
//
// Shape (capacity 1):
//
//	producer: h = head; slot = 1; tail = 1          // plain
//	consumer: t = tail; if t != 0 { x = slot; head = 1 }   // plain
//
// The bug: plain accesses never synchronize, so nothing orders the
// producer's write of the slot before the consumer's read of it, and the
// accesses to the indices race with each other. The consumer may see the
// tail at 1 and still read the stale 0 from the slot (not linearizable),
// and reading the tail the producer wrote is a data race (checker.Race)
// whatever it reads next. The explorer finds one or the other as a failed
// check (scenarios.FailCheck).
func RingPlainIndex() *scenarios.Scenario {
	return ringScenario(ringShape{
		name: "Ring+plain-index",
		doc: "A ring buffer whose indices are plain reads and writes instead of Atomics: nothing synchronizes, so the " +
			"consumer can read a stale slot and the index accesses race; the explorer finds a failed check.",
		capacity: 1, items: 1, bug: ringPlainIndex, fails: scenarios.FailCheck,
	})
}

func ringScenario(s ringShape) *scenarios.Scenario {
	return &scenarios.Scenario{
		Name:     s.name,
		Doc:      s.doc,
		Fails:    s.fails,
		Setup:    func(w *scenarios.World) error { return ringSetup(w, s) },
		Check:    func(o *scenarios.Outcome) error { return checkPrimitive(o, RingSpec(s.capacity)) },
		Checks:   primitiveChecks,
		MaxSteps: ringMaxSteps,
	}
}

func ringSetup(w *scenarios.World, s ringShape) error {
	buf := w.Buffer("ring", 4*RingElements(s.capacity))
	w.Agent("producer", func(a *shared.Agent) error {
		v, err := shared.View(buf.For(a), shared.Int32)
		if err != nil {
			return err
		}
		p, err := newRingProducer(v, s.capacity, s.bug)
		if err != nil {
			return err
		}
		full := int64(0)
		for x := int64(1); x <= int64(s.items); x++ {
			done := w.Call(a, RingOp{Put: true, Block: s.blocking, Value: x})
			ok := true
			if s.blocking {
				err = p.Put(x)
			} else {
				ok, err = p.TryPut(x)
			}
			if err != nil {
				return err
			}
			done(RingResult{OK: ok})
			if !ok {
				full++
			}
		}
		if s.blocking {
			w.Report(a, "slept", int64(p.Slept()))
		} else {
			w.Report(a, "full", full)
		}
		return nil
	})
	w.Agent("consumer", func(a *shared.Agent) error {
		v, err := shared.View(buf.For(a), shared.Int32)
		if err != nil {
			return err
		}
		c, err := newRingConsumer(v, s.capacity, s.bug)
		if err != nil {
			return err
		}
		var empty, got int64
		for range s.items {
			done := w.Call(a, RingOp{Block: s.blocking})
			var x int64
			ok := true
			if s.blocking {
				x, err = c.Get()
			} else {
				x, ok, err = c.TryGet()
			}
			if err != nil {
				return err
			}
			done(RingResult{OK: ok, Value: x})
			if ok {
				got += x
			} else {
				empty++
			}
		}
		w.Report(a, "got", got)
		if s.blocking {
			w.Report(a, "slept", int64(c.Slept()))
		} else {
			w.Report(a, "empty", empty)
		}
		return nil
	})
	return nil
}

// ringMaxSteps is the ring buffer scenarios' step budget
// (Scenario.MaxSteps): their executions take a few dozen steps, but a
// blocking call whose Atomics.load keeps returning a stale index (weak
// reads the model allows finitely often before a seq-cst store) loops
// through Atomics.wait's "not-equal" for as long as the explorer lets it;
// such an execution cut at the budget is no livelock (the model's liveness
// clause), and a small budget cuts it early.
const ringMaxSteps = 100
