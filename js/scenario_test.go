package js

import (
	"context"
	"strings"
	"testing"

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
