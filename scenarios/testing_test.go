package scenarios_test

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/sabre-mm/sabre/model"
	"github.com/sabre-mm/sabre/scenarios"
	"pgregory.net/rapid"
)

// fakeTB records what Explore reports.
type fakeTB struct {
	name   string
	errors []string
	fatal  string
}

func (f *fakeTB) Helper()      {}
func (f *fakeTB) Name() string { return f.name }
func (f *fakeTB) Errorf(format string, args ...any) {
	f.errors = append(f.errors, fmt.Sprintf(format, args...))
}
func (f *fakeTB) Logf(string, ...any)               {}
func (f *fakeTB) Fatalf(format string, args ...any) { f.fatal = fmt.Sprintf(format, args...) }

// failingSB is SB whose check refuses the weak outcome.
func failingSB() *scenarios.Scenario {
	sc := sb()
	sc.Check = func(o *scenarios.Outcome) error {
		if o.Values["P0:r0"] == 0 && o.Values["P1:r0"] == 0 {
			return fmt.Errorf("both agents read 0")
		}
		return nil
	}
	return sc
}

// TestFailfileRoundTrip: Explore's failure message ends with the line that
// replays it, the failfile it writes replays to exactly the same failure,
// and so does the replay string. (shuttle's replay once broke silently:
// this is the round trip, in CI.)
func TestFailfileRoundTrip(t *testing.T) {
	dir := t.TempDir()
	old := scenarios.FailDir
	scenarios.FailDir = dir
	defer func() { scenarios.FailDir = old }()

	tb := &fakeTB{name: "TestX/sub"}
	rep := scenarios.Explore(tb, failingSB(), scenarios.Options{Strategy: scenarios.Exhaustive(0), Model: model.ES2024})
	if tb.fatal != "" || len(tb.errors) != 1 || len(rep.Failures) != 1 {
		t.Fatalf("fatal %q, errors %q", tb.fatal, tb.errors)
	}
	f := rep.Failures[0]
	msg := tb.errors[0]
	lines := strings.Split(msg, "\n")
	last := lines[len(lines)-1]
	if !strings.HasPrefix(last, "replay: go test -run '^TestX$/^sub$' -sabre.model=es2024 -sabre.replay='"+f.Schedule.String()+"'") {
		t.Errorf("the message does not end with the replay line: %q", msg)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "TestX_sub", "TestX_sub-*.fail"))
	if len(files) != 1 {
		t.Fatalf("failfiles %v", files)
	}
	for _, src := range []string{files[0], f.Schedule.String()} {
		s, v, err := scenarios.ReadReplay(src)
		if err != nil {
			t.Fatal(err)
		}
		if src == files[0] && v != model.ES2024 {
			t.Errorf("failfile model %v", v.Name())
		}
		again := run(t, failingSB(), scenarios.Options{Strategy: scenarios.Replay(s)})
		if len(again.Failures) != 1 {
			t.Fatalf("replaying %s: failures %v", src, again.Failures)
		}
		g := again.Failures[0]
		if g.Kind != f.Kind || g.Message != f.Message || g.Schedule.String() != f.Schedule.String() ||
			g.Outcome.Key() != f.Outcome.Key() {
			t.Errorf("replaying %s gave %v (%s), want %v (%s)", src, g, g.Outcome.Key(), f, f.Outcome.Key())
		}
	}
}

// TestReplayMismatch: a schedule that does not fit is a replay failure
// naming the step, not a hang or a panic.
func TestReplayMismatch(t *testing.T) {
	for _, s := range []string{"0*4.7", "0", "0*4.1*2.1=0102", "0*400", "0=01.0*3"} {
		sched, err := scenarios.ParseSchedule(s)
		if err != nil {
			t.Fatal(err)
		}
		rep := run(t, sb(), scenarios.Options{Strategy: scenarios.Replay(sched)})
		if len(rep.Failures) != 1 || rep.Failures[0].Kind != scenarios.FailReplay {
			t.Errorf("%s: failures %v", s, rep.Failures)
		}
	}
}

// TestReplayTooLong: a schedule longer than its execution replays
// something else: a replay failure.
func TestReplayTooLong(t *testing.T) {
	rep := run(t, sb(), scenarios.Options{})
	s := append(slices.Clone(rep.Outcomes[0].Schedule), scenarios.Step{Agent: 0})
	again := run(t, sb(), scenarios.Options{Strategy: scenarios.Replay(s)})
	if len(again.Failures) != 1 || again.Failures[0].Kind != scenarios.FailReplay || !strings.Contains(again.Failures[0].Message, "ended after") {
		t.Errorf("failures %v", again.Failures)
	}
}

func TestParseSchedule(t *testing.T) {
	for _, s := range []string{"", "0", "0*4.1=01000000.2!.3*2", "12.0=ff", "2=00000000*50.2!*3.1=01"} {
		got, err := scenarios.ParseSchedule(s)
		if err != nil {
			t.Fatalf("%q: %v", s, err)
		}
		if got.String() != s {
			t.Errorf("%q round-trips to %q", s, got.String())
		}
	}
	for _, s := range []string{"x", "1*1", "1*", "01", "-1", "1=", "1=0", "1=001122334455667788", "1!!", "1*99999999999", "1.", "1=zz"} {
		if _, err := scenarios.ParseSchedule(s); err == nil || !strings.Contains(err.Error(), "schedule step") {
			t.Errorf("%q: error %v", s, err)
		}
	}
}

func FuzzParseSchedule(f *testing.F) {
	for _, s := range []string{"0*4.1=01000000.2!.3*2", "1*3", "2=ff.0"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := scenarios.ParseSchedule(s)
		if err != nil {
			return
		}
		again, err := scenarios.ParseSchedule(got.String())
		if err != nil || again.String() != got.String() {
			t.Fatalf("%q → %q → %q, %v", s, got.String(), again.String(), err)
		}
	})
}

// TestReadReplayErrors: bad failfiles are errors naming the file and line.
func TestReadReplayErrors(t *testing.T) {
	dir := t.TempDir()
	for name, body := range map[string]string{
		"nosched.fail":  "model es2024\n",
		"badmodel.fail": "model es1999\nschedule 0\n",
		"junk.fail":     "hello\n",
		"badsched.fail": "schedule 0*1\n",
	} {
		p := filepath.Join(dir, name)
		os.WriteFile(p, []byte(body), 0o644)
		if _, _, err := scenarios.ReadReplay(p); err == nil || !strings.Contains(err.Error(), p) {
			t.Errorf("%s: error %v", name, err)
		}
	}
}

// TestRapidStrategy: with every choice a rapid draw (and one Knowledge
// shared across rapid's test cases), rapid reaches the weak outcome of
// store buffering.
func TestRapidStrategy(t *testing.T) {
	k := &scenarios.Knowledge{}
	seen := false
	rapid.Check(t, func(r *rapid.T) {
		rep, err := scenarios.Run(t.Context(), sb(), scenarios.Options{Strategy: scenarios.Rapid(r), Knowledge: k})
		if err != nil {
			r.Fatal(err)
		}
		for _, o := range rep.Outcomes {
			seen = seen || (o.Values["P0:r0"] == 0 && o.Values["P1:r0"] == 0)
		}
	})
	if !seen {
		t.Error("rapid never reached the weak outcome of SB+na")
	}
}

// TestExploreSettings: Explore takes its strategy, budget, seed and model
// from the environment (as from the -sabre.* flags), and refuses bad ones.
func TestExploreSettings(t *testing.T) {
	t.Setenv("SABRE_STRATEGY", "random")
	t.Setenv("SABRE_BUDGET", "25")
	t.Setenv("SABRE_SEED", "7")
	t.Setenv("SABRE_MODEL", "sc")
	tb := &fakeTB{name: "TestSettings"}
	rep := scenarios.Explore(tb, sb(), scenarios.Options{})
	if tb.fatal != "" || rep.Strategy != "random" || rep.Model != "sc" || rep.Stats.Executions != 25 || len(tb.errors) != 0 {
		t.Fatalf("fatal %q errors %q report %+v", tb.fatal, tb.errors, rep)
	}
	for env, val := range map[string]string{"SABRE_STRATEGY": "dfs", "SABRE_BUDGET": "-3", "SABRE_SEED": "x", "SABRE_MODEL": "es5", "SABRE_REPLAY": "0*1"} {
		t.Run(env, func(t *testing.T) {
			t.Setenv(env, val)
			tb := &fakeTB{name: "TestSettings"}
			if rep := scenarios.Explore(tb, sb(), scenarios.Options{}); rep != nil || !strings.Contains(tb.fatal, val) {
				t.Errorf("%s=%s: fatal %q", env, val, tb.fatal)
			}
		})
	}
}
