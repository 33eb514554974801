package js

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/sabre-mm/sabre/scenarios"
)

func exploreFile(t *testing.T, path string, opt scenarios.Options) *scenarios.Report {
	t.Helper()
	sc, err := ScenarioFile(path, ScenarioOptions{})
	if err != nil {
		t.Fatal(err)
	}
	rep, err := scenarios.Run(context.Background(), sc, opt)
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

func TestScenarioQueueMessagePassing(t *testing.T) {
	rep := exploreFile(t, "testdata/scenarios/queue-mp.js", scenarios.Options{})
	if len(rep.Failures) > 0 {
		t.Fatalf("failures: %v", rep.Failures[0])
	}
	if !rep.Complete || len(rep.Outcomes) != 1 {
		t.Fatalf("complete %v, %d outcomes, want 1", rep.Complete, len(rep.Outcomes))
	}
	got := rep.Outcomes[0].Key()
	want := "receiver:big=3 receiver:first=1 receiver:len=5 receiver:n=42 receiver:nul=1 receiver:str=1"
	if got != want {
		t.Fatalf("outcome %q, want %q", got, want)
	}
	if rep.Scenario != "queue-mp" {
		t.Fatalf("name %q", rep.Scenario)
	}
}

func TestScenarioErrors(t *testing.T) {
	for _, c := range []struct{ name, src, want string }{
		{"syntax", "sabre.agent(() => {\n  let x = ;\n});", "bad.js:2:11: SyntaxError"},
		{"noagent", "let x = 1;", "declares no agent"},
		{"top-throw", "sabre.agent(() => {});\nnull.x;", "bad.js:2:"},
		{"observe-top", "sabre.observe({x: 1}); sabre.agent(() => {});", "called by top-level code"},
		{"agent-not-fn", "sabre.agent(3);", "is not a function"},
		{"dup", "sabre.agent('x', () => {}); sabre.agent('x', () => {});", "two agents are named"},
		{"config", "sabre.config({nmae: 1}); sabre.agent(() => {});", `unknown key "nmae"`},
	} {
		_, err := Scenario("bad.js", c.src, ScenarioOptions{})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want one containing %q", c.name, err, c.want)
		}
	}
}

func TestScenarioAgentErrorsPointAtTheFile(t *testing.T) {
	src := "sabre.agent(() => {\n  sabre.observe({ s: 'abc' });\n});\n"
	sc, err := Scenario("obs.js", src, ScenarioOptions{})
	if err != nil {
		t.Fatal(err)
	}
	rep, err := scenarios.Run(context.Background(), sc, scenarios.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Failures) != 1 || rep.Failures[0].Kind != scenarios.FailAgent {
		t.Fatalf("failures %v, want one agent failure", rep.Failures)
	}
	msg := rep.Failures[0].Message
	for _, w := range []string{"sabre.observe: s:", "is not an integer, boolean or BigInt", "obs.js:2:"} {
		if !strings.Contains(msg, w) {
			t.Errorf("message %q lacks %q", msg, w)
		}
	}
}

// TestScenarioSetupTimersAndAsync: sabre.setup initialises memory on the
// main agent before the agents; virtual timers run in due order; an async
// agent's rejection is its error, with the file's position.
func TestScenarioSetupTimersAndAsync(t *testing.T) {
	src := `const ia = new Int32Array(new SharedArrayBuffer(8));
sabre.setup(() => { Atomics.store(ia, 0, 5); sabre.observe({ init: 1 }); });
sabre.agent("t", async () => {
  const order = [];
  setTimeout(() => order.push(3), 30);
  setTimeout(() => order.push(1), 10);
  const id = setTimeout(() => order.push(9), 20);
  clearTimeout(id);
  await new Promise(r => setTimeout(r, 50));
  sabre.observe({ seen: Atomics.load(ia, 0), order: Number(order.join("")) });
});
`
	sc, err := Scenario("s.js", src, ScenarioOptions{})
	if err != nil {
		t.Fatal(err)
	}
	rep, err := scenarios.Run(context.Background(), sc, scenarios.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Failures) > 0 || len(rep.Outcomes) != 1 {
		t.Fatalf("failures %v, %d outcomes", rep.Failures, len(rep.Outcomes))
	}
	if k := rep.Outcomes[0].Key(); !strings.HasPrefix(k, "main:init=1 t:order=13 t:seen=5 ") {
		t.Fatalf("outcome %s", k)
	}

	sc, err = Scenario("r.js", "sabre.agent(async () => {\n  await null;\n  throw new RangeError('no');\n});", ScenarioOptions{})
	if err != nil {
		t.Fatal(err)
	}
	rep, err = scenarios.Run(context.Background(), sc, scenarios.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Failures) != 1 || !strings.Contains(rep.Failures[0].Message, "RangeError: no") || !strings.Contains(rep.Failures[0].Message, "r.js:3:") {
		t.Fatalf("failures %v", rep.Failures)
	}

	sc, err = Scenario("m.js", "sabre.agent(() => {\n  new SharedArrayBuffer(4);\n});", ScenarioOptions{})
	if err != nil {
		t.Fatal(err)
	}
	rep, err = scenarios.Run(context.Background(), sc, scenarios.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Failures) != 1 || !strings.Contains(rep.Failures[0].Message, "top-level code must be deterministic and make buffers only at top level") {
		t.Fatalf("failures %v", rep.Failures)
	}
}

// TestScenarioBudgetBoundsCodeOutsideAgents: code that runs outside any
// agent — the top-level code (at load and in each execution's setup),
// sabre.setup's function, a predicate — is bounded by the agent budget
// too: a busy loop there is interrupted and reported, never a hang.
func TestScenarioBudgetBoundsCodeOutsideAgents(t *testing.T) {
	opts := ScenarioOptions{AgentBudget: 100 * time.Millisecond}
	_, err := Scenario("top.js", "sabre.agent(() => {});\nwhile (true) {}\n", opts)
	if err == nil || !strings.Contains(err.Error(), "the top-level code ran over its budget") {
		t.Fatalf("top-level busy loop: %v", err)
	}
	for _, c := range []struct{ name, src, want string }{
		{"setup", "const ta = new Int32Array(new SharedArrayBuffer(4));\nsabre.setup(() => { while (true) {} });\nsabre.agent(() => { sabre.observe({x: ta[0]}); });\n", "sabre.setup's function ran over its budget"},
		{"predicate", "const ta = new Int32Array(new SharedArrayBuffer(4));\nsabre.agent(() => { sabre.observe({x: ta[0]}); });\nsabre.require(o => { while (true) {} });\n", "predicate ran over its budget"},
		{"agent", "const ta = new Int32Array(new SharedArrayBuffer(4));\nsabre.agent(() => { while (true) {} });\n", "over its budget"},
	} {
		sc, err := Scenario(c.name+".js", c.src, opts)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		rep, err := scenarios.Run(context.Background(), sc, scenarios.Options{Executions: 1})
		if err == nil && len(rep.Failures) > 0 {
			err = errors.New(rep.Failures[0].Error())
		}
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: %v, want an error containing %q", c.name, err, c.want)
		}
	}
}
