package js

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/dop251/goja"
	"github.com/sabre-mm/sabre/atomics"
	"github.com/sabre-mm/sabre/shared"
)

func TestInstallNilRuntime(t *testing.T) {
	if _, err := Install(nil, Options{}); err == nil {
		t.Fatal("Install(nil) did not fail")
	}
}

func TestZeroRealm(t *testing.T) {
	b, _ := shared.NewBuffer(8)
	if v, err := (&Realm{}).WrapBuffer(b); err == nil || v != nil {
		t.Fatalf("WrapBuffer on a Realm not made by Install = %v, %v", v, err)
	}
}

func TestInstallDefaultAgent(t *testing.T) {
	r, err := Install(goja.New(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if r.Agent() == nil || r.Agent().Name() != "js" {
		t.Fatalf("default agent = %v, want one named js", r.Agent())
	}
}

func TestWrapBufferAndBufferOf(t *testing.T) {
	rt, r := newTestRealm(t, "a", nil)
	b, err := shared.NewBuffer(8)
	if err != nil {
		t.Fatal(err)
	}
	v1, err := r.WrapBuffer(b)
	if err != nil {
		t.Fatal(err)
	}
	v2, _ := r.WrapBuffer(b.For(shared.NewAgent("other")))
	if v1 != v2 {
		t.Fatal("WrapBuffer gave two objects for one buffer")
	}
	got, ok := BufferOf(v1)
	if !ok || !got.Same(b) {
		t.Fatalf("BufferOf = %v, %v", got, ok)
	}
	if got.Agent() != r.Agent() {
		t.Fatal("the wrapped buffer is not bound to the realm's agent")
	}
	_ = rt.Set("sab", v1)
	v, err := rt.RunString(`new Int32Array(sab)[1] = 7; sab instanceof SharedArrayBuffer && sab.byteLength`)
	if err != nil {
		t.Fatal(err)
	}
	if v.ToInteger() != 8 {
		t.Fatalf("byteLength = %v", v)
	}
	if bs := b.Bytes(); bs[4] != 7 {
		t.Fatalf("JS write not seen in Go: % x", bs)
	}
	for _, src := range []string{`Object.create(SharedArrayBuffer.prototype)`, `new ArrayBuffer(4)`, `({})`, `1`} {
		v, err := rt.RunString(src)
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := BufferOf(v); ok {
			t.Errorf("BufferOf(%s) = true", src)
		}
	}
	if _, ok := BufferOf(nil); ok {
		t.Error("BufferOf(nil) = true")
	}
	// a SAB made in one realm is recognised in another, and shares memory
	rt2, r2 := newTestRealm(t, "b", nil)
	v3, _ := r2.WrapBuffer(got)
	_ = rt2.Set("sab", v3)
	if v, err := rt2.RunString(`new Int32Array(sab)[1]`); err != nil || v.ToInteger() != 7 {
		t.Fatalf("other realm reads %v, %v", v, err)
	}
	if _, err := r.WrapBuffer(nil); !errors.Is(err, shared.TypeError) {
		t.Fatalf("WrapBuffer(nil) = %v, want a TypeError", err)
	}
}

func TestNewBufferOption(t *testing.T) {
	var calls []int
	rt := goja.New()
	_, err := Install(rt, Options{NewBuffer: func(length, max int) (*shared.Buffer, error) {
		calls = append(calls, length, max)
		if length == 3 {
			return nil, shared.Errorf(shared.RangeError, "test", "no")
		}
		if max < 0 {
			return shared.NewBuffer(length)
		}
		return shared.NewGrowableBuffer(length, max)
	}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := rt.RunString(`new SharedArrayBuffer(4); new SharedArrayBuffer(2, {maxByteLength: 6})`); err != nil {
		t.Fatal(err)
	}
	_, err = rt.RunString(`new SharedArrayBuffer(3)`)
	if err == nil || !strings.Contains(err.Error(), "RangeError") {
		t.Fatalf("NewBuffer's RangeError became %v", err)
	}
	if want := []int{4, -1, 2, 6, 3, -1}; len(calls) != len(want) {
		t.Fatalf("NewBuffer calls %v, want %v", calls, want)
	} else {
		for i := range want {
			if calls[i] != want[i] {
				t.Fatalf("NewBuffer calls %v, want %v", calls, want)
			}
		}
	}
}

func TestThrowAndDetach(t *testing.T) {
	rt, r := newTestRealm(t, "a", nil)
	_ = rt.Set("throwKind", func(c goja.FunctionCall) goja.Value {
		var err error
		switch c.Argument(0).String() {
		case "type":
			err = shared.Errorf(shared.TypeError, "op", "bad")
		case "range":
			err = shared.Errorf(shared.RangeError, "op", "bad")
		case "notshareable":
			err = shared.Errorf(shared.NotShareable, "op", "bad")
		case "empty":
			err = shared.Errorf(shared.QueueEmpty, "op", "bad")
		case "go":
			err = errors.New("plain")
		case "nil":
			r.Throw(nil)
			return goja.Undefined()
		}
		r.Throw(err)
		return goja.Undefined()
	})
	_ = rt.Set("detach", func(c goja.FunctionCall) goja.Value {
		r.Throw(r.DetachArrayBuffer(c.Argument(0)))
		return goja.Undefined()
	})
	_, err := rt.RunString(`
		function kind(k) { try { throwKind(k); return "none"; } catch (e) { return e.name; } }
		same(kind("type"), "TypeError", "TypeError");
		same(kind("range"), "RangeError", "RangeError");
		same(kind("notshareable"), "TypeError", "NotShareable");
		same(kind("empty"), "QueueEmpty", "QueueEmpty");
		same(kind("go"), "GoError", "other errors");
		same(kind("nil"), "none", "nil");
		var ab = new ArrayBuffer(8), ta = new Int8Array(ab);
		detach(ab);
		same(ab.byteLength, 0, "detached");
		same(ta.length, 0, "view of a detached buffer");
		same(ta[0], undefined, "element of a detached view");
		throws(TypeError, function () { detach(new SharedArrayBuffer(1)); }, "SAB");
		throws(TypeError, function () { detach({}); }, "object");
		throws(TypeError, function () { detach(1); }, "number");
	`)
	if err != nil {
		t.Fatal(err)
	}
}

func TestWaitCanBlockFalse(t *testing.T) {
	rt, r := newTestRealm(t, "main", nil)
	r.Agent().SetCanBlock(false)
	_, err := rt.RunString(`
		var ta = new Int32Array(new SharedArrayBuffer(8));
		throws(RangeError, function () { Atomics.wait(ta, 2, 0, 0); }, "index checked first");
		var converted = false;
		throws(TypeError, function () { Atomics.wait(ta, 0, { valueOf: function () { converted = true; return 0; } }, 0); }, "cannot block");
		same(converted, true, "the value was converted before the CanBlock check");
		same(Atomics.waitAsync(ta, 0, 0, 0).value, "timed-out", "waitAsync does not need CanBlock");
	`)
	if err != nil {
		t.Fatal(err)
	}
}

// TestWaitReleasedByContext: a wait with no timeout returns when the
// host's context ends (a budget), as an exception in JS.
func TestWaitReleasedByContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	h := newTestHost(ctx)
	rt, _ := newTestRealm(t, "main", h)
	time.AfterFunc(50*time.Millisecond, cancel)
	done := make(chan error, 1)
	go func() {
		_, err := rt.RunString(`Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0)`)
		done <- err
	}()
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "context canceled") {
			t.Fatalf("wait ended with %v, want the context's error", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the wait was not released")
	}
}

// TestWaitWokenByGo: a JS wait is woken by a Go notify on the same
// buffer, and a JS waitAsync by a notify from another goroutine, its
// promise resolved on the realm's goroutine through the host.
func TestWaitWokenByGo(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	h := newTestHost(ctx)
	rt2, r := newTestRealm(t, "main", h)
	b, _ := shared.NewBuffer(8)
	v, err := shared.View(b, shared.Int32)
	if err != nil {
		t.Fatal(err)
	}
	notifier := func(i int) {
		for ctx.Err() == nil {
			if n, _ := atomics.Notify(v, i, 1); n == 1 {
				return
			}
			time.Sleep(time.Millisecond)
		}
	}
	go notifier(0)
	w, _ := r.WrapBuffer(b)
	_ = rt2.Set("sab", w)
	res, err := rt2.RunString(`Atomics.wait(new Int32Array(sab), 0, 0)`)
	if err != nil || res.String() != "ok" {
		t.Fatalf("wait = %v, %v", res, err)
	}
	go notifier(1)
	if _, err := rt2.RunString(`var got; Atomics.waitAsync(new Int32Array(sab), 1, 0).value.then(function (v) { got = v; });`); err != nil {
		t.Fatal(err)
	}
	h.runLoop(t, rt2)
	if got := rt2.Get("got"); got == nil || got.String() != "ok" {
		t.Fatalf("waitAsync resolved with %v", got)
	}
	if n := h.held(); n != 0 {
		t.Fatalf("loop still held %d times", n)
	}
}

// TestTwoRuntimesHammerOneBuffer: two runtimes on two goroutines make
// plain and atomic accesses to one SharedArrayBuffer; under go test -race
// nothing is reported, and the atomic counter loses no increment.
func TestTwoRuntimesHammerOneBuffer(t *testing.T) {
	b, err := shared.NewBuffer(64)
	if err != nil {
		t.Fatal(err)
	}
	const n = 2000
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for g := 0; g < 2; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			rt := goja.New()
			r, err := Install(rt, Options{Agent: shared.NewAgent("js")})
			if err != nil {
				errs[g] = err
				return
			}
			sab, _ := r.WrapBuffer(b)
			_ = rt.Set("sab", sab)
			_ = rt.Set("me", g)
			_, errs[g] = rt.RunString(`
				var i32 = new Int32Array(sab), u8 = new Uint8Array(sab), f64 = new Float64Array(sab, 32);
				var dv = new DataView(sab), big = new BigInt64Array(sab, 48);
				for (var i = 0; i < ` + "2000" + `; i++) {
					Atomics.add(i32, 0, 1);
					i32[1] = i;               // plain racing writes
					var x = i32[1] + u8[5];   // plain racing reads
					u8[8 + me] = i & 255;     // a byte each, in one word
					f64[me] = i / 3;
					dv.setInt16(12, i);
					Atomics.compareExchange(i32, 2, 0, 1);
					Atomics.exchange(i32, 2, 0);
					Atomics.add(big, me, 1n);
					i32.fill(i, 4, 6);
					i32.subarray(6, 7)[0] = x;
				}`)
		}(g)
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	v, _ := shared.View(b, shared.Int32)
	if got, _ := atomics.Load(v, 0); got != 2*n {
		t.Fatalf("counter = %d, want %d", got, 2*n)
	}
	bv, _ := shared.NewTypedArray(b, shared.BigInt64, 48, 2)
	for g := 0; g < 2; g++ {
		if got, _ := atomics.Load(bv, g); got != n {
			t.Fatalf("BigInt counter %d = %d, want %d", g, got, n)
		}
	}
}

func TestNumericKey(t *testing.T) {
	for _, c := range []struct {
		k       string
		idx     int
		numeric bool
	}{
		{"0", 0, true}, {"12", 12, true}, {"-0", -1, true}, {"1.5", -1, true}, {"-1", -1, true},
		{"NaN", -1, true}, {"Infinity", -1, true}, {"-Infinity", -1, true}, {"1e+21", -1, true},
		{"1e-7", -1, true}, {"0.0000001", 0, false}, {"01", 0, false}, {"1.0", 0, false},
		{"+1", 0, false}, {"", 0, false}, {"foo", 0, false}, {"length", 0, false}, {"1e21", 0, false},
		{"9007199254740992", -1, true}, {"9007199254740991", 9007199254740991, true},
	} {
		idx, num := numericKey(c.k)
		if num != c.numeric || (num && idx != c.idx) {
			t.Errorf("numericKey(%q) = %d, %v; want %d, %v", c.k, idx, num, c.idx, c.numeric)
		}
	}
}

// TestWaitAsyncSettled: the channel is nil with no pending wait, open
// while the wait is pending, closed once it settles (before the posted
// resolve runs), and nil again once the promise is resolved.
func TestWaitAsyncSettled(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	h := newTestHost(ctx)
	rt, r := newTestRealm(t, "main", h)
	if r.WaitAsyncSettled() != nil {
		t.Fatal("a channel with no pending wait")
	}
	b, _ := shared.NewBuffer(8)
	w, _ := r.WrapBuffer(b)
	_ = rt.Set("sab", w)
	if _, err := rt.RunString(`var got; Atomics.waitAsync(new Int32Array(sab), 0, 0).value.then(function (v) { got = v; });`); err != nil {
		t.Fatal(err)
	}
	ch := r.WaitAsyncSettled()
	if ch == nil {
		t.Fatal("no channel with a pending wait")
	}
	select {
	case <-ch:
		t.Fatal("closed before the wait settled")
	default:
	}
	v, _ := shared.View(b, shared.Int32)
	if n, _ := atomics.Notify(v, 0, 1); n != 1 {
		t.Fatalf("notify woke %d", n)
	}
	select {
	case <-ch:
	case <-ctx.Done():
		t.Fatal("not closed after the notify")
	}
	if c2 := r.WaitAsyncSettled(); c2 == nil {
		t.Fatal("nil while the settled promise is unresolved")
	} else {
		<-c2 // closed already
	}
	h.runLoop(t, rt)
	if got := rt.Get("got"); got == nil || got.String() != "ok" {
		t.Fatalf("resolved with %v", got)
	}
	if r.WaitAsyncSettled() != nil {
		t.Fatal("a channel after the promise was resolved")
	}
}

// TestWaitAsyncNoHost: without a Host, a waitAsync that would have to
// wait is a TypeError and leaves no waiter; one settled at once works.
func TestWaitAsyncNoHost(t *testing.T) {
	rt, _ := newTestRealm(t, "main", nil)
	_, err := rt.RunString(`
		var ta = new Int32Array(new SharedArrayBuffer(8));
		same(Atomics.waitAsync(ta, 0, 1).value, "not-equal", "settled at once");
		throws(TypeError, function () { Atomics.waitAsync(ta, 0, 0); }, "would wait");
		same(Atomics.notify(ta, 0), 0, "no waiter left behind");
	`)
	if err != nil {
		t.Fatal(err)
	}
}

// TestWaitAsyncChain: a promise job that starts another waitAsync while
// the realm resolves settled waits (re-entrancy) resolves both.
func TestWaitAsyncChain(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	h := newTestHost(ctx)
	rt, _ := newTestRealm(t, "main", h)
	_, err := rt.RunString(`
		var ta = new Int32Array(new SharedArrayBuffer(8)), log = [];
		async function chain() {
			for (var i = 0; i < 5; i++) {
				log.push(await Atomics.waitAsync(ta, 0, 0, 1).value);
			}
		}
		chain();
	`)
	if err != nil {
		t.Fatal(err)
	}
	h.runLoop(t, rt)
	if v, _ := rt.RunString(`log.join()`); v.String() != "timed-out,timed-out,timed-out,timed-out,timed-out" {
		t.Fatalf("log = %v", v)
	}
}

func TestTypedArrayOf(t *testing.T) {
	rt, r := newTestRealm(t, "a", nil)
	for _, src := range []string{"new Int32Array(4)", "new SharedArrayBuffer(4)", "new DataView(new SharedArrayBuffer(4))", "({})", "1"} {
		v, err := rt.RunString(src)
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := TypedArrayOf(v); ok {
			t.Errorf("TypedArrayOf(%s) = true", src)
		}
	}
	v, err := rt.RunString("var s = new SharedArrayBuffer(16); var x = new Uint16Array(s, 2, 3); x[1] = 9; x")
	if err != nil {
		t.Fatal(err)
	}
	ta, ok := TypedArrayOf(v)
	if !ok || ta.Kind() != shared.Uint16 || ta.Length() != 3 || ta.ByteOffset() != 2 || ta.Agent() != r.Agent() {
		t.Fatalf("TypedArrayOf = %v, %v", ta, ok)
	}
	if x, _ := ta.GetInt(1); x != 9 {
		t.Fatalf("element 1 = %d", x)
	}
}

func TestNewBufferOptionWrongBuffer(t *testing.T) {
	for name, nb := range map[string]func(int, int) (*shared.Buffer, error){
		"nil":       func(int, int) (*shared.Buffer, error) { return nil, nil },
		"short":     func(n, _ int) (*shared.Buffer, error) { return shared.NewBuffer(n - 1) },
		"not grown": func(n, _ int) (*shared.Buffer, error) { return shared.NewBuffer(n) },
	} {
		rt := goja.New()
		if _, err := Install(rt, Options{NewBuffer: nb}); err != nil {
			t.Fatal(err)
		}
		_, err := rt.RunString(`new SharedArrayBuffer(4, {maxByteLength: 8})`)
		if err == nil || !strings.Contains(err.Error(), "TypeError") || !strings.Contains(err.Error(), "NewBuffer") {
			t.Errorf("%s: %v, want a TypeError naming NewBuffer", name, err)
		}
	}
}

func TestThrowOnZeroRealm(t *testing.T) {
	defer func() {
		if x := recover(); x == nil || !strings.Contains(fmt.Sprint(x), "not made by Install") {
			t.Fatalf("recovered %v", x)
		}
	}()
	(&Realm{}).Throw(errors.New("x"))
}
