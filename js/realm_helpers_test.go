package js

import (
	"context"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/dop251/goja"
	"github.com/sabre-mm/sabre/shared"
)

// testHost is a tiny Host whose event loop runs on the test goroutine
// (runLoop), for waitAsync's promises.
type testHost struct {
	mu    sync.Mutex
	q     chan func()
	holds int
	ctx   context.Context
}

func newTestHost(ctx context.Context) *testHost {
	return &testHost{q: make(chan func(), 64), ctx: ctx}
}

func (h *testHost) Post(fn func()) bool {
	select {
	case h.q <- fn:
		return true
	case <-h.ctx.Done():
		return false
	}
}

func (h *testHost) Hold() func() {
	h.mu.Lock()
	h.holds++
	h.mu.Unlock()
	var once sync.Once
	return func() {
		once.Do(func() {
			h.mu.Lock()
			h.holds--
			h.mu.Unlock()
		})
	}
}

func (h *testHost) held() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.holds
}

func (h *testHost) Context() context.Context { return h.ctx }

// runLoop runs posted functions (then the promise jobs they queue) until
// nothing holds the loop.
func (h *testHost) runLoop(t *testing.T, rt *goja.Runtime) {
	t.Helper()
	for h.held() > 0 || len(h.q) > 0 {
		select {
		case fn := <-h.q:
			fn()
			if _, err := rt.RunString(""); err != nil { // run the promise jobs
				t.Fatal(err)
			}
		case <-h.ctx.Done():
			t.Fatal("event loop: ", h.ctx.Err())
		}
	}
}

// prelude is the assertions the JS test files use.
const prelude = `
function fail(msg) { throw new Error("assertion failed: " + msg); }
function same(a, b, msg) { if (!Object.is(a, b)) fail((msg || "") + ": got " + String(a) + ", want " + String(b)); }
function throws(C, f, msg) {
  try { f(); } catch (e) {
    if (!(e instanceof C)) fail((msg || "") + ": threw " + e + ", want " + C.name);
    return e;
  }
  fail((msg || "") + ": did not throw " + C.name);
}
`

// newTestRealm makes a runtime with the realm installed and the prelude
// run, over a fresh agent named name.
func newTestRealm(t *testing.T, name string, host Host) (*goja.Runtime, *Realm) {
	t.Helper()
	rt := goja.New()
	r, err := Install(rt, Options{Agent: shared.NewAgent(name), Host: host})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := rt.RunString(prelude); err != nil {
		t.Fatal(err)
	}
	return rt, r
}

// runFile runs js/testdata/builtins/<name> in a fresh realm with a test
// host, then runs its event loop until nothing holds it.
func runFile(t *testing.T, name string) {
	t.Helper()
	src, err := os.ReadFile(filepath.Join("testdata", "builtins", name))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	h := newTestHost(ctx)
	rt, r := newTestRealm(t, "main", h)
	_ = rt.Set("detachArrayBuffer", func(c goja.FunctionCall) goja.Value {
		r.Throw(r.DetachArrayBuffer(c.Argument(0)))
		return goja.Undefined()
	})
	_ = rt.Set("asyncFailed", func(c goja.FunctionCall) goja.Value {
		t.Errorf("%s: async failure: %v", name, c.Argument(0))
		return goja.Undefined()
	})
	if _, err := rt.RunScript(name, string(src)); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	h.runLoop(t, rt)
	if v := rt.Get("asyncChecks"); v != nil && !goja.IsUndefined(v) {
		if _, err := rt.RunString("asyncChecks()"); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
	}
}
