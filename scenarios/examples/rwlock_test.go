package examples_test

import (
	"testing"

	"github.com/sabre-mm/sabre/model"
	"github.com/sabre-mm/sabre/scenarios"
	"github.com/sabre-mm/sabre/scenarios/examples"
	"github.com/sabre-mm/sabre/shared"
)

// TestRWLock explores RWLock (one writer, two readers) with pct and
// random — exhaustive exploration does not end in minutes (the lock loops'
// Atomics.loads may return stale states, and those prefixes are refuted
// only at their ends) —: no failure (linearizable register, no data race
// on the plain data, no deadlock: no lost wake-up); every read is [0 0] or
// [101 102], both are reached, and so are the writer asleep waiting for
// the readers to drain and a reader asleep behind the writer.
func TestRWLock(t *testing.T) {
	seen := map[[2]int64]bool{}
	var writerSlept, readerSlept bool
	for _, rep := range sampled(t, smallBudget, examples.RWLockScenario) {
		mustPass(t, rep)
		for _, o := range rep.Outcomes {
			for _, r := range []string{"reader1", "reader2"} {
				s := snapshot(o, r)
				seen[s] = true
				if s != [2]int64{0, 0} && s != [2]int64{101, 102} {
					t.Errorf("outcome %s: %s read a torn %v", o.Key(), r, s)
				}
			}
		}
		writerSlept = writerSlept || reached(rep, func(o *scenarios.Outcome) bool { return o.Values["writer:slept"] > 0 })
		readerSlept = readerSlept || reached(rep, func(o *scenarios.Outcome) bool {
			return o.Values["reader1:slept"] > 0 || o.Values["reader2:slept"] > 0
		})
	}
	if len(seen) != 2 {
		t.Errorf("snapshots read %v, want both [0 0] and [101 102]", seen)
	}
	if !writerSlept || !readerSlept {
		t.Errorf("the writer slept and was woken: %v; a reader: %v; want both reached", writerSlept, readerSlept)
	}
}

// TestRWLockSized explores larger instances with pct and random: two
// writers and one reader (writers exclude each other too).
func TestRWLockSized(t *testing.T) {
	for _, rep := range sampled(t, sizedBudget, func() *scenarios.Scenario { return examples.RWLockSized(2, 2, 1) }) {
		mustPass(t, rep)
	}
}

// TestBuggyRWLockNoDrain: pct catches the writer that does not wait for
// the readers to drain (a data race on the plain data, or a torn read)
// within the default budget, and the failure replays; going on, a torn
// read is among the failures.
func TestBuggyRWLockNoDrain(t *testing.T) {
	opt := scenarios.Options{Model: model.ES2024, Strategy: scenarios.PCT(3, 1), Executions: primBudget}
	mustCatch(t, examples.RWLockNoDrain, scenarios.Options{Model: model.ES2024}, explore(t, examples.RWLockNoDrain(), opt))
	opt.MaxFailures = primBudget
	rep := explore(t, examples.RWLockNoDrain(), opt)
	torn := false
	for _, f := range rep.Failures {
		torn = torn || contains(f.Message, "Read() → [101 0]") || contains(f.Message, "Read() → [0 102]")
	}
	if !torn {
		logReport(t, rep)
		t.Errorf("no failure is a torn read")
	}
}

// TestBuggyRWLockLostWakeup: pct catches the lost wake-up (the writer
// asleep waiting for a reader that left without waking it) as a deadlock
// within the default budget, and the failure replays.
func TestBuggyRWLockLostWakeup(t *testing.T) {
	opt := scenarios.Options{Model: model.ES2024, Strategy: scenarios.PCT(3, 1), Executions: primBudget}
	f := mustCatch(t, examples.RWLockLostWakeup, scenarios.Options{Model: model.ES2024}, explore(t, examples.RWLockLostWakeup(), opt))
	if want := "writer is blocked in Atomics.wait"; !contains(f.Message, want) {
		t.Errorf("deadlock %q does not say %q", f.Message, want)
	}
}

// TestRWLockBadInput: bad views and indices are errors, never panics; and
// the lock works unobserved in one agent.
func TestRWLockBadInput(t *testing.T) {
	a := shared.NewAgent("t")
	buf, err := shared.NewBuffer(8, shared.CreatedBy(a))
	if err != nil {
		t.Fatal(err)
	}
	i32, _ := shared.View(buf.For(a), shared.Int32)
	u8, _ := shared.View(buf.For(a), shared.Uint8)
	ab, _ := shared.NewArrayBuffer(8, shared.CreatedBy(a))
	local, _ := shared.View(ab, shared.Int32)
	for _, c := range []struct {
		v    *shared.TypedArray
		at   int
		want string
	}{{nil, 0, "nil view"}, {u8, 0, "want an Int32Array"}, {local, 0, "not over a shared buffer"}, {i32, 2, "elements 2 … 2 are out"}, {i32, -1, "elements -1 … -1 are out"}} {
		if _, err := examples.NewRWLock(c.v, c.at); err == nil || !contains(err.Error(), c.want) {
			t.Errorf("%v at %d: error %v, want one saying %q", c.v, c.at, err, c.want)
		}
	}
	l, err := examples.NewRWLock(i32, 1)
	if err != nil {
		t.Fatal(err)
	}
	state := func() int64 { s, _ := i32.GetInt(1); return s }
	steps := []struct {
		name string
		f    func() error
		want int64
	}{
		{"RLock", l.RLock, 1}, {"RLock", l.RLock, 2}, {"RUnlock", l.RUnlock, 1}, {"RUnlock", l.RUnlock, 0},
		{"Lock", l.Lock, 1 << 30}, {"Unlock", l.Unlock, 0},
	}
	for i, s := range steps {
		if err := s.f(); err != nil || state() != s.want {
			t.Errorf("step %d, %s: error %v, state %#x; want %#x", i, s.name, err, state(), s.want)
		}
	}
	if v, _ := i32.GetInt(0); v != 0 {
		t.Errorf("the lock at element 1 changed element 0: %d", v)
	}
}
