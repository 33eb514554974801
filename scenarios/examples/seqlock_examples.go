package examples

import (
	"fmt"

	"github.com/sabre-mm/sabre/scenarios"
	"github.com/sabre-mm/sabre/shared"
)

// seqlockShape is a seqlock scenario: the data words, the snapshots the
// writer writes, the readers (each reads once), and the variant.
type seqlockShape struct {
	name, doc string
	words     int
	writes    int
	readers   int
	bug       seqlockBug
	fails     scenarios.FailureKind
}

// seqlockValue is word i (from 0) of the writer's write k (from 1): 100·k
// + i + 1, so that every word of every write differs and a torn snapshot
// shows.
func seqlockValue(k, i int) int64 { return int64(100*k + i + 1) }

// Seqlock returns "Seqlock": a seqlock (SeqlockWriter, SeqlockReader)
// guarding two words, with one writer writing one snapshot and one reader
// reading once, everything through Atomics.
//
// Shape (buffer "seq", Int32 elements: sequence, word 0, word 1):
//
//	writer: Atomics.store(seq, 1); Atomics.store(w0, 101); Atomics.store(w1, 102)
//	        Atomics.store(seq, 2); Atomics.notify(seq)
//	reader: loop { s1 = Atomics.load(seq); if s1 odd { Atomics.wait(seq, s1); continue }
//	               d0 = Atomics.load(w0); d1 = Atomics.load(w1)
//	               if Atomics.load(seq) == s1 break }
//
// Reports: "reader:w0", "reader:w1" (the snapshot read), "reader:retries"
// and "reader:slept" (re-checks that failed, waits woken).
//
// Expected (Check): the operations (World.Call) are linearizable with
// respect to RegisterSpec(2) — the reader returns [0 0] or [101 102],
// never a mix — and (Checks) no data race (checker.Race): every access is
// seq-cst of an equal range; and no deadlock (a reader asleep while the
// sequence is odd is woken by the notify after the closing store).
// SeqlockWriter's doc gives the argument.
func Seqlock() *scenarios.Scenario {
	return seqlockScenario(seqlockShape{
		name: "Seqlock",
		doc: "A seqlock over two words, all accesses Atomics: the writer makes the sequence odd, stores the words, " +
			"makes it even and notifies; the reader retries until its two sequence loads agree (sleeping while odd). " +
			"Reads are snapshots (linearizable register), with no data race and no deadlock.",
		words: 2, writes: 1, readers: 1,
	})
}

// SeqlockSized returns a seqlock scenario with words data words, a
// writer writing writes snapshots and readers readers reading once each;
// Seqlock is SeqlockSized(2, 1, 1) but for its name, which is
// "Seqlock(words,writes,readers)". Larger instances are for pct and random
// exploration. Arguments below 1 are taken as 1.
func SeqlockSized(words, writes, readers int) *scenarios.Scenario {
	words, writes, readers = max(words, 1), max(writes, 1), max(readers, 1)
	return seqlockScenario(seqlockShape{
		name:  fmt.Sprintf("Seqlock(%d,%d,%d)", words, writes, readers),
		doc:   fmt.Sprintf("A seqlock over %d words: %d writes, %d readers.", words, writes, readers),
		words: words, writes: writes, readers: readers,
	})
}

// SeqlockPlainNoRecheck returns "Seqlock+plain-no-recheck": Seqlock
// whose reader reads the words with plain reads and does not load the
// sequence again.
//
// Shape: Seqlock's writer; reader:
//
//	reader: loop { s1 = Atomics.load(seq); if s1 odd { Atomics.wait(seq, s1); continue }; break }
//	        d0 = w0; d1 = w1          // plain, and no re-check
//
// The bug: the writer may start between the reader's sequence load and
// its data reads, and the reader then returns a mix ([101 0]: a torn
// snapshot, not linearizable) — and a plain read that returns a value
// the writer's Atomics.store wrote without happening after it is a data
// race (checker.Race). The explorer finds one or the other
// (scenarios.FailCheck) with a replayable schedule.
func SeqlockPlainNoRecheck() *scenarios.Scenario {
	return seqlockScenario(seqlockShape{
		name: "Seqlock+plain-no-recheck",
		doc: "A seqlock whose reader reads the data with plain reads and never re-checks the sequence: it can return " +
			"a torn snapshot (and race with the writer); the explorer finds the failed check.",
		words: 2, writes: 1, readers: 1, bug: seqlockPlainNoRetry, fails: scenarios.FailCheck,
	})
}

// SeqlockPlainData returns "Seqlock+plain-data": Seqlock with the data
// words written and read with plain accesses — the seqlock as C writes it
// (with the re-check), which ECMA-262's memory model does not make
// correct.
//
// Shape: Seqlock's, with "w0 = 101" for "Atomics.store(w0, 101)" and
// "d0 = w0" for "d0 = Atomics.load(w0)".
//
// The bug: a reader whose data reads overlap a write reads plain values
// the writer's plain writes wrote with no happens-before edge between
// them: a data race (checker.Race), even though the re-check then throws
// the snapshot away; and a data race voids the model's promise of
// sequential consistency, so the re-check no longer proves a snapshot
// consistent. The explorer finds the race (scenarios.FailCheck).
func SeqlockPlainData() *scenarios.Scenario {
	return seqlockScenario(seqlockShape{
		name: "Seqlock+plain-data",
		doc: "A seqlock with plain (non-atomic) data accesses, as in C: the reader's re-check discards torn snapshots, " +
			"but its plain reads race with the writer's plain writes (a data race under ECMA-262); the explorer finds it.",
		words: 2, writes: 1, readers: 1, bug: seqlockPlainData, fails: scenarios.FailCheck,
	})
}

func seqlockScenario(s seqlockShape) *scenarios.Scenario {
	return &scenarios.Scenario{
		Name:     s.name,
		Doc:      s.doc,
		Fails:    s.fails,
		MaxSteps: seqlockMaxSteps,
		Setup:    func(w *scenarios.World) error { return seqlockSetup(w, s) },
		Check:    func(o *scenarios.Outcome) error { return checkPrimitive(o, RegisterSpec(s.words)) },
		Checks:   primitiveChecks,
	}
}

// seqlockMaxSteps is the seqlock scenarios' step budget: a reader whose
// sequence load keeps returning a stale odd value loops through
// Atomics.wait's "not-equal" (see ringMaxSteps).
const seqlockMaxSteps = 100

func seqlockSetup(w *scenarios.World, s seqlockShape) error {
	buf := w.Buffer("seq", 4*SeqlockElements(s.words))
	w.Agent("writer", func(a *shared.Agent) error {
		v, err := shared.View(buf.For(a), shared.Int32)
		if err != nil {
			return err
		}
		wr, err := newSeqlockWriter(v, s.words, s.bug)
		if err != nil {
			return err
		}
		for k := 1; k <= s.writes; k++ {
			vals := make([]int64, s.words)
			for i := range vals {
				vals[i] = seqlockValue(k, i)
			}
			done := w.Call(a, RegisterOp{Write: true, Value: vals})
			if err := wr.Write(vals); err != nil {
				return err
			}
			done(RegisterResult{})
		}
		return nil
	})
	for r := range s.readers {
		name := "reader"
		if s.readers > 1 {
			name = fmt.Sprintf("reader%d", r+1)
		}
		w.Agent(name, func(a *shared.Agent) error {
			v, err := shared.View(buf.For(a), shared.Int32)
			if err != nil {
				return err
			}
			rd, err := newSeqlockReader(v, s.words, s.bug)
			if err != nil {
				return err
			}
			done := w.Call(a, RegisterOp{})
			vals, err := rd.Read()
			if err != nil {
				return err
			}
			done(RegisterResult{Value: vals})
			for i, x := range vals {
				w.Report(a, fmt.Sprintf("w%d", i), x)
			}
			w.Report(a, "retries", int64(rd.Retries()))
			w.Report(a, "slept", int64(rd.Slept()))
			return nil
		})
	}
	return nil
}
