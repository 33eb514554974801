package workload

import (
	"bytes"
	"cmp"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sabre-mm/sabre/history"
	"github.com/sabre-mm/sabre/internal/mutant"
)

// checkClean asserts what every history of the real core must satisfy:
// Validate, Convert (every value read has a recorded source), a Write/Read
// round trip, and no case's symptom.
func checkClean(t *testing.T, name string, h *history.History) {
	t.Helper()
	if h == nil || len(h.Events) == 0 {
		t.Fatalf("%s: empty history", name)
	}
	if err := h.Validate(); err != nil {
		t.Fatalf("%s: Validate: %v", name, err)
	}
	if _, err := history.Convert(h); err != nil {
		t.Fatalf("%s: Convert: %v", name, err)
	}
	var b bytes.Buffer
	if err := history.Write(&b, h); err != nil {
		t.Fatalf("%s: Write: %v", name, err)
	}
	h2, err := history.Read(&b)
	if err != nil {
		t.Fatalf("%s: Read: %v", name, err)
	}
	if !reflect.DeepEqual(h, h2) {
		t.Fatalf("%s: the history changed in a Write/Read round trip", name)
	}
	for _, c := range Cases() {
		if msg, bad := c.Symptom(h); bad {
			t.Errorf("%s: the real core's history shows %s's symptom: %s", name, c.Mutant, msg)
		}
	}
}

// TestCasesClean runs every workload on the real core (no mutant in
// force): its history is valid, converts, round-trips, is of the promised
// size, and shows no mutant's symptom. Each runs a few times, with
// several seeds, since the symptoms must be false for every run.
func TestCasesClean(t *testing.T) {
	if mutant.Enabled {
		if m := currentMutant(); m != "" {
			t.Fatalf("mutant %s is in force", m)
		}
	}
	for _, c := range Cases() {
		t.Run(c.Name, func(t *testing.T) {
			for seed := uint64(1); seed <= 3; seed++ {
				start := time.Now()
				h, err := c.Run(Config{Seed: seed})
				if err != nil {
					t.Fatal(err)
				}
				checkClean(t, c.Name, h)
				if n := len(h.Events); n < 50 || n > 20_000 {
					t.Errorf("%d events; a workload's history is hundreds to a few thousand", n)
				}
				t.Logf("seed %d: %d events in %v", seed, len(h.Events), time.Since(start))
			}
		})
	}
}

// TestWorkloadShapes checks what each workload promises about its own
// history, beyond the absence of symptoms: the operations it makes, and
// their counts.
func TestWorkloadShapes(t *testing.T) {
	count := func(h *history.History, f func(e *history.Event) bool) int {
		n := 0
		for i := range h.Events {
			if f(&h.Events[i]) {
				n++
			}
		}
		return n
	}
	op := func(name string) func(e *history.Event) bool {
		return func(e *history.Event) bool { return e.Op == name }
	}
	run := func(f func(Config) (*history.History, error), cfg Config) *history.History {
		t.Helper()
		h, err := f(cfg)
		if err != nil {
			t.Fatal(err)
		}
		return h
	}

	h := run(SubWordCounters, Config{Agents: 3, Iterations: 10})
	if n := count(h, op("Atomics.add")); n != 30 {
		t.Errorf("SubWordCounters: %d adds, want 30", n)
	}
	for _, e := range h.Events {
		if e.Op == "Atomics.add" && e.Size != 2 {
			t.Errorf("SubWordCounters: an add of %d bytes", e.Size)
		}
	}

	h = run(Tearing64, Config{Agents: 2, Iterations: 10})
	if s, l := count(h, op("Atomics.store")), count(h, op("Atomics.load")); s != 10 || l != 10 {
		t.Errorf("Tearing64: %d stores and %d loads, want 10 and 10", s, l)
	}

	h = run(CASLoop, Config{Agents: 2, Iterations: 6})
	failing := count(h, func(e *history.Event) bool { return e.Op == "Atomics.compareExchange" && e.Kind == history.EvRead })
	if failing < 4 { // iterations 2 and 5 of each agent make a compareExchange that must fail
		t.Errorf("CASLoop: %d failing compareExchanges, want at least 4", failing)
	}

	h = run(WaitNotify, Config{Agents: 3, Iterations: 2})
	ok := count(h, func(e *history.Event) bool { return e.Kind == history.EvWait && e.Result == "ok" })
	woken := count(h, func(e *history.Event) bool { return e.Kind == history.EvNotify && e.Result == "1" })
	if waits := count(h, func(e *history.Event) bool { return e.Kind == history.EvWait }); waits != 6 || ok != woken {
		t.Errorf("WaitNotify: %d waits (want 6), %d ok, %d notifies that woke one", waits, ok, woken)
	}
	for _, e := range h.Events {
		if e.Kind == history.EvNotify && e.Count != 1 {
			t.Errorf("WaitNotify: a notify with count %d", e.Count)
		}
	}

	h = run(StaleLoad, Config{Agents: 2, Iterations: 10})
	if s, l := count(h, op("Atomics.store")), count(h, op("Atomics.load")); s != 10 || l != 20 {
		t.Errorf("StaleLoad: %d stores and %d loads, want 10 and 20", s, l)
	}

	h = run(QueueContention, Config{Agents: 4, Iterations: 10})
	puts := count(h, func(e *history.Event) bool { return e.Kind == history.EvQueuePut && e.Result == "ok" })
	gets := count(h, func(e *history.Event) bool { return e.Kind == history.EvQueueGet && e.Result == "ok" })
	if puts != 20 || gets != 20 {
		t.Errorf("QueueContention: %d puts and %d gets ok, want 20 and 20", puts, gets)
	}
	for _, e := range h.Events {
		if (e.Kind == history.EvQueuePut || e.Kind == history.EvQueueGet) && e.Count != queueMaxsize {
			t.Errorf("QueueContention: %v records maxsize %d", e, e.Count)
		}
	}

	h = run(MessagePassing, Config{Agents: 2, Iterations: 5})
	plainW := count(h, func(e *history.Event) bool { return e.Kind == history.EvWrite && e.Op == "Int32Array.set" })
	plainR := count(h, func(e *history.Event) bool { return e.Kind == history.EvRead && e.Op == "Int32Array.get" })
	if plainW != 5 || plainR != 5 {
		t.Errorf("MessagePassing: %d plain writes and %d plain reads, want 5 and 5", plainW, plainR)
	}

	// StaleMessage: per round, a plain read of 0 by the reader, then the
	// writer's plain write, then the reader's plain read of what it wrote.
	h = run(StaleMessage, Config{Agents: 2, Iterations: 5})
	var dataW, dataR []*history.Event
	for i := range h.Events {
		switch e := &h.Events[i]; {
		case e.Kind == history.EvWrite && e.Op == "Int32Array.set":
			dataW = append(dataW, e)
		case e.Kind == history.EvRead && e.Op == "Int32Array.get":
			dataR = append(dataR, e)
		}
	}
	slices.SortFunc(dataR, func(a, b *history.Event) int { return cmp.Compare(a.Seq, b.Seq) })
	if len(dataW) != 5 || len(dataR) != 10 || count(h, op("Atomics.store")) != 10 {
		t.Fatalf("StaleMessage: %d plain writes, %d plain reads and %d Atomics.stores, want 5, 10 and 10",
			len(dataW), len(dataR), count(h, op("Atomics.store")))
	}
	for i, w := range dataW {
		first, second := dataR[2*i], dataR[2*i+1]
		if w.Written != uint64(i+1) || w.ByteIndex != 4*i || first.ByteIndex != 4*i || second.ByteIndex != 4*i ||
			first.Read != 0 || second.Read != uint64(i+1) || first.Return > w.Call || w.Return > second.Call {
			t.Errorf("StaleMessage round %d: write %v, reads %v and %v", i, w, first, second)
		}
	}
}

// TestConfigErrors: a Config a workload cannot run is an error naming the
// workload, not a panic or a hang.
func TestConfigErrors(t *testing.T) {
	for name, f := range map[string]func() (*history.History, error){
		"SubWordCounters": func() (*history.History, error) { return SubWordCounters(Config{Agents: 300, Iterations: 300}) },
		"Tearing64":       func() (*history.History, error) { return Tearing64(Config{Agents: -1}) },
		"CASLoop":         func() (*history.History, error) { return CASLoop(Config{Agents: 200}) },
		"WaitNotify":      func() (*history.History, error) { return WaitNotify(Config{Iterations: -2}) },
		"StaleLoad":       func() (*history.History, error) { return StaleLoad(Config{Agents: -3}) },
		"QueueContention": func() (*history.History, error) { return QueueContention(Config{Agents: -1}) },
		"MessagePassing":  func() (*history.History, error) { return MessagePassing(Config{Iterations: -1}) },
		"StaleMessage":    func() (*history.History, error) { return StaleMessage(Config{Agents: 1}) },
		"Random":          func() (*history.History, error) { return Random{Agents: 0, Locations: 1, Ops: 10}.Run() },
	} {
		h, err := f()
		if err == nil || h != nil || !strings.Contains(err.Error(), name) {
			t.Errorf("%s: %v, %v; want an error naming it", name, h, err)
		}
	}
}

// TestSymptomsOfNothing: symptoms of a nil or empty history are false,
// and a corrupt history (which Validate would refuse) makes none panic.
func TestSymptomsOfNothing(t *testing.T) {
	var corrupt history.History
	for k := history.Kind(0); k < 20; k++ {
		for _, size := range []int{-8, -1, 0, 1, 2, 8, 1 << 40} {
			corrupt.Events = append(corrupt.Events,
				history.Event{Kind: k, Size: size, ByteIndex: -size, Read: 1, Written: 2, ModifyOp: 1, Operand: 1, Result: "timed-out", Item: 3,
					Woken: []history.Ref{{}, {Agent: -1, Seq: 7}}, Call: 5, Return: 1},
				history.Event{Kind: k, Size: size, Order: 1, Read: 2, Written: 1, Operand: 2, Call: -3, Return: 9})
		}
	}
	for _, c := range Cases() {
		c.Symptom(&corrupt) // must not panic; what it says of garbage does not matter
		for _, h := range []*history.History{nil, {}} {
			if msg, bad := c.Symptom(h); bad {
				t.Errorf("%s: %s", c.Name, msg)
			}
		}
	}
}

// TestCasesCoverMutants: one case per mutant, in mutant order, each found by
// ForMutant, with distinct names.
func TestCasesCoverMutants(t *testing.T) {
	names := map[string]bool{}
	for _, c := range Cases() {
		if !c.Mutant.Known() || c.Run == nil || c.Symptom == nil || names[c.Name] {
			t.Errorf("case %+v", c.Name)
		}
		names[c.Name] = true
		if got, ok := ForMutant(c.Mutant); !ok || got.Name != c.Name {
			t.Errorf("ForMutant(%s) = %v, %v", c.Mutant, got.Name, ok)
		}
	}
	if _, ok := ForMutant("NoSuchMutant"); ok {
		t.Error("ForMutant found a case for an unknown mutant")
	}
	if len(Cases()) != 9 {
		t.Errorf("%d cases, want one per mutant (9)", len(Cases()))
	}
}
