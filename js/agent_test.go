package js

import (
	"bytes"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dop251/goja"
	"go.uber.org/goleak"
)

func newTestAgent(t *testing.T, opts AgentOptions) (*Agent, *bytes.Buffer) {
	t.Helper()
	var out bytes.Buffer
	if opts.Stdout == nil {
		opts.Stdout = &out
	}
	a, err := NewAgent(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(a.Close)
	return a, &out
}

func TestAgentTimersAndPromiseOrder(t *testing.T) {
	defer goleak.VerifyNone(t)
	a, out := newTestAgent(t, AgentOptions{Name: "order"})
	err := a.RunScript("order.js", `
		print("sync 1");
		setTimeout(function (x) { print("timeout 20 " + x); }, 20, "arg");
		setTimeout(function () { print("timeout 0"); Promise.resolve().then(function () { print("job after timeout 0"); }); }, 0);
		var t = setTimeout(function () { print("cleared!"); }, 5);
		clearTimeout(t);
		Promise.resolve().then(function () { print("job"); });
		print("sync 2");
	`)
	if err != nil {
		t.Fatal(err)
	}
	want := "sync 1\nsync 2\njob\ntimeout 0\njob after timeout 0\ntimeout 20 arg\n"
	if out.String() != want {
		t.Fatalf("got\n%s\nwant\n%s", out, want)
	}
}

func TestAgentVirtualClock(t *testing.T) {
	defer goleak.VerifyNone(t)
	clk := &VirtualClock{}
	a, out := newTestAgent(t, AgentOptions{Clock: clk})
	start := time.Now()
	err := a.RunScript("v.js", `
		setTimeout(function () { print("b"); }, 60000);
		setTimeout(function () { print("a"); }, 30000);
		setTimeout(function () { print("c"); }, 60000);
	`)
	if err != nil {
		t.Fatal(err)
	}
	if out.String() != "a\nb\nc\n" {
		t.Fatalf("got %q", out)
	}
	if clk.Now() != 60*time.Second {
		t.Fatalf("virtual clock at %v, want 60s", clk.Now())
	}
	if time.Since(start) > 10*time.Second {
		t.Fatalf("virtual timers took wall time")
	}
}

func TestAgentPostAndHold(t *testing.T) {
	defer goleak.VerifyNone(t)
	a, out := newTestAgent(t, AgentOptions{})
	release := a.Hold()
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		time.Sleep(20 * time.Millisecond)
		// from another goroutine: settle a promise on the agent's goroutine
		if !a.Post(func() {
			rt := a.Runtime()
			p, resolve, _ := rt.NewPromise()
			rt.Set("late", p)
			_ = resolve("settled")
			if _, err := rt.RunString(`late.then(function (v) { print(v); })`); err != nil {
				panic(err)
			}
			release()
		}) {
			t.Error("Post refused on a live agent")
		}
	}()
	if err := a.RunScript("hold.js", `print("start")`); err != nil {
		t.Fatal(err)
	}
	wg.Wait()
	if out.String() != "start\nsettled\n" {
		t.Fatalf("got %q", out)
	}
	a.Close()
	if a.Post(func() {}) {
		t.Fatal("Post accepted after Close")
	}
}

func TestAgentErrorPosition(t *testing.T) {
	a, _ := newTestAgent(t, AgentOptions{})
	err := a.RunScript("pos.js", "var x = 1;\n  null.f;\n")
	if err == nil || !strings.Contains(err.Error(), "pos.js:2:") {
		t.Fatalf("error %v lacks pos.js:2:col", err)
	}
	err = a.RunScript("timer.js", "setTimeout(function () {\n throw new RangeError('boom'); }, 0);")
	if err == nil || !strings.Contains(err.Error(), "boom") || !strings.Contains(err.Error(), "timer.js:2:") {
		t.Fatalf("timer error %v", err)
	}
	err = a.RunScript("syntax.js", "var = ;")
	if err == nil || !strings.Contains(err.Error(), "syntax.js") {
		t.Fatalf("syntax error %v", err)
	}
}

func TestAgentBudget(t *testing.T) {
	defer goleak.VerifyNone(t)
	a, _ := newTestAgent(t, AgentOptions{Name: "spinner", Budget: 50 * time.Millisecond})
	err := a.RunScript("spin.js", "for (;;) {}")
	if !errors.Is(err, ErrBudget) || !strings.Contains(err.Error(), "spinner") || !strings.Contains(err.Error(), "50ms") {
		t.Fatalf("got %v, want the budget error naming the agent and 50ms", err)
	}
	if a.Context().Err() == nil {
		t.Fatal("context not cancelled over budget")
	}
	// a held loop is released by the budget too
	b, _ := newTestAgent(t, AgentOptions{Name: "holder", Budget: 30 * time.Millisecond})
	b.Hold()
	if err := b.RunScript("h.js", ""); !errors.Is(err, ErrBudget) {
		t.Fatalf("held loop: %v", err)
	}
}

func TestAgentInterruptFromOtherGoroutine(t *testing.T) {
	defer goleak.VerifyNone(t)
	a, _ := newTestAgent(t, AgentOptions{Name: "busy"})
	done := a.Start("busy.js", "while (true) {}")
	time.Sleep(10 * time.Millisecond)
	cause := errors.New("stop now")
	a.Interrupt(cause)
	if err := <-done; !errors.Is(err, cause) {
		t.Fatalf("got %v", err)
	}
}

func TestAgentSandbox(t *testing.T) {
	a, _ := newTestAgent(t, AgentOptions{})
	for _, name := range []string{"require", "process", "fetch", "XMLHttpRequest", "load", "read", "readFile",
		"readline", "console", "module", "exports", "Deno", "Bun", "os", "quit", "import"} {
		v, err := a.Eval("sandbox.js", "typeof globalThis["+quote(name)+"]")
		if err != nil {
			t.Fatal(err)
		}
		if v.String() != "undefined" {
			t.Errorf("global %s is %s in the sandbox", name, v)
		}
	}
	// dynamic import has no module loader: it rejects or throws
	err := a.RunScript("import.js", `var r = "pending"; import("fs").then(function () { r = "loaded"; }, function () { r = "rejected"; });`)
	if err == nil {
		v, _ := a.Eval("r.js", "r")
		if v.String() == "loaded" {
			t.Fatal("import(\"fs\") loaded a module in the sandbox")
		}
	}
}

func TestAgentRejectsConcurrentRun(t *testing.T) {
	defer goleak.VerifyNone(t)
	a, _ := newTestAgent(t, AgentOptions{})
	release := a.Hold()
	done := a.Start("a.js", "")
	time.Sleep(10 * time.Millisecond)
	if err := a.RunScript("b.js", ""); err == nil || !strings.Contains(err.Error(), "already running") {
		t.Fatalf("second run: %v", err)
	}
	release()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

func TestNewAgentBadOptions(t *testing.T) {
	if _, err := NewAgent(AgentOptions{Budget: -1}); err == nil {
		t.Fatal("negative budget accepted")
	}
	if _, err := NewAgent(AgentOptions{MaxCallStackSize: -1}); err == nil {
		t.Fatal("negative stack size accepted")
	}
	a, _ := newTestAgent(t, AgentOptions{MaxCallStackSize: 50})
	if err := a.RunScript("deep.js", "function f(n) { return f(n + 1); } f(0);"); err == nil {
		t.Fatal("unbounded recursion under MaxCallStackSize 50")
	}
	if err := a.RunProgram(nil); err == nil {
		t.Fatal("nil program accepted")
	}
}

func quote(s string) string { return `"` + s + `"` }

// A task that resolves promises from Go, and whose jobs start new work,
// sees its jobs run after it ends (not inside the resolve call).
func TestAgentJobsRunAfterTheTask(t *testing.T) {
	defer goleak.VerifyNone(t)
	a, out := newTestAgent(t, AgentOptions{})
	release := a.Hold()
	a.Post(func() {
		rt := a.Runtime()
		p, resolve, _ := rt.NewPromise()
		rt.Set("p", p)
		if _, err := rt.RunString(`p.then(function (v) { print("job " + v); })`); err != nil {
			panic(err)
		}
		_ = resolve(1)
		rt.Get("print").Export().(func(goja.FunctionCall) goja.Value)(goja.FunctionCall{Arguments: []goja.Value{rt.ToValue("task end")}})
		release()
	})
	if err := a.RunScript("jobs.js", ""); err != nil {
		t.Fatal(err)
	}
	if out.String() != "task end\njob 1\n" {
		t.Fatalf("got %q, want the task to end before its job runs", out)
	}
}

// Three waitAsync in a row, each made by the job of the one before.
func TestAgentWaitAsyncChain(t *testing.T) {
	defer goleak.VerifyNone(t)
	a, out := newTestAgent(t, AgentOptions{Budget: 10 * time.Second})
	err := a.RunScript("chain.js", `
		var i32a = new Int32Array(new SharedArrayBuffer(16));
		(async function () {
			for (var i = 0; i < 3; i++) print(await Atomics.waitAsync(i32a, 0, 0, 1).value);
		})().then(function () { print("done"); });
	`)
	if err != nil {
		t.Fatal(err)
	}
	if out.String() != "timed-out\ntimed-out\ntimed-out\ndone\n" {
		t.Fatalf("got %q", out)
	}
}
