package js

import (
	"strings"
	"testing"
	"time"

	"go.uber.org/goleak"
)

func newTest262Host(t *testing.T, opts AgentOptions) (*Agent, *Host262, *strings.Builder) {
	t.Helper()
	var out strings.Builder
	opts.Stdout = &out
	a, err := NewAgent(opts)
	if err != nil {
		t.Fatal(err)
	}
	h, err := NewHost262(a)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = h.Close() })
	return a, h, &out
}

func TestHost262Basics(t *testing.T) {
	defer goleak.VerifyNone(t)
	a, h, out := newTest262Host(t, AgentOptions{Name: "main", CanBlock: true})
	err := a.RunScript("basics.js", `
		if ($262.global !== globalThis) throw new Error("global");
		if ($262.evalScript("var evaluated = 6 * 7; evaluated") !== 42 || evaluated !== 42) throw new Error("evalScript");
		var threw = false;
		try { $262.evalScript("var = ;"); } catch (e) { threw = e instanceof SyntaxError; }
		if (!threw) throw new Error("evalScript syntax error not a SyntaxError");
		var ab = new ArrayBuffer(8);
		$262.detachArrayBuffer(ab);
		if (ab.byteLength !== 0) throw new Error("not detached: " + ab.byteLength);
		threw = false;
		try { $262.detachArrayBuffer({}); } catch (e) { threw = e instanceof TypeError; }
		if (!threw) throw new Error("detachArrayBuffer({}) did not throw a TypeError");
		if ($262.createRealm !== undefined || $262.gc !== undefined) throw new Error("createRealm/gc should be absent");
		if ($262.agent.getReport() !== null) throw new Error("report before any");
		var t0 = $262.agent.monotonicNow();
		$262.agent.sleep(20);
		var t1 = $262.agent.monotonicNow();
		if (!(t1 - t0 >= 20)) throw new Error("sleep(20) took " + (t1 - t0));
		print("ok");
	`)
	if err != nil {
		t.Fatal(err)
	}
	if out.String() != "ok\n" {
		t.Fatalf("printed %q", out)
	}
	if err := h.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestHost262AgentsBroadcastReport(t *testing.T) {
	defer goleak.VerifyNone(t)
	a, h, _ := newTest262Host(t, AgentOptions{Name: "main", CanBlock: true})
	err := a.RunScript("agents.js", `
		for (var i = 0; i < 3; i++) {
			$262.agent.start(
				"$262.agent.receiveBroadcast(function (sab, num) {" +
				"  $262.agent.report('got ' + num + ' ' + sab + ' ' + (typeof setTimeout));" +
				"  $262.agent.leaving();" +
				"});");
		}
		$262.agent.broadcast(null, 7);
		var reports = [];
		for (var i = 0; i < 3; i++) {
			var r;
			while ((r = $262.agent.getReport()) === null) $262.agent.sleep(1);
			reports.push(r);
		}
		if (reports.join("|") !== "got 7 null function|got 7 null function|got 7 null function") throw new Error(reports.join("|"));
		$262.agent.broadcast(null, 1n); // the agents have ended: does not block
	`)
	if err != nil {
		t.Fatal(err)
	}
	if h.Agents() != 3 {
		t.Fatalf("%d agents", h.Agents())
	}
	if err := h.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestHost262BroadcastWaitsForLateReceiver(t *testing.T) {
	defer goleak.VerifyNone(t)
	a, h, _ := newTest262Host(t, AgentOptions{Name: "main", CanBlock: true})
	start := time.Now()
	err := a.RunScript("late.js", `
		$262.agent.start("$262.agent.sleep(50); $262.agent.receiveBroadcast(function (s, n) { $262.agent.report(n); });");
		$262.agent.broadcast(undefined, 5);
		var r;
		while ((r = $262.agent.getReport()) === null) $262.agent.sleep(1);
		if (r !== "5") throw new Error(r);
	`)
	if err != nil {
		t.Fatal(err)
	}
	if time.Since(start) < 50*time.Millisecond {
		t.Fatal("broadcast did not wait for the agent to receive")
	}
	if err := h.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestHost262TeardownReleasesStuckAgents(t *testing.T) {
	defer goleak.VerifyNone(t)
	a, h, _ := newTest262Host(t, AgentOptions{Name: "main", CanBlock: true})
	err := a.RunScript("stuck.js", `
		$262.agent.start("while (true) {}");
		$262.agent.start("$262.agent.receiveBroadcast(function () {});"); // never broadcast to
	`)
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- h.Close() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("teardown errors: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Close did not end the started agents")
	}
}

func TestHost262ChildErrorReported(t *testing.T) {
	defer goleak.VerifyNone(t)
	a, h, _ := newTest262Host(t, AgentOptions{Name: "main", CanBlock: true})
	err := a.RunScript("childerr.js", `
		$262.agent.start("$262.agent.report('x'); throw new RangeError('child boom');");
		while ($262.agent.getReport() === null) $262.agent.sleep(1);
		$262.agent.sleep(20);
	`)
	if err != nil {
		t.Fatal(err)
	}
	err = h.Close()
	if err == nil || !strings.Contains(err.Error(), "child boom") || !strings.Contains(err.Error(), "main.agent1") {
		t.Fatalf("Close: %v", err)
	}
}

func TestNewHost262Nil(t *testing.T) {
	if _, err := NewHost262(nil); err == nil {
		t.Fatal("nil agent accepted")
	}
}
