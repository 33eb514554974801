package js

import (
	"strings"
	"testing"

	"github.com/dop251/goja"
	"github.com/sabre-mm/sabre/shared"
)

// twoRealms makes two runtimes with a queue object for the same queue,
// each bound to its own agent, as q in each.
func twoRealms(t *testing.T, maxsize int) (a, b *goja.Runtime) {
	t.Helper()
	q := shared.NewQueue(maxsize)
	mk := func(name string) *goja.Runtime {
		rt := goja.New()
		r, err := Install(rt, Options{Agent: shared.NewAgent(name)})
		if err != nil {
			t.Fatal(err)
		}
		rt.Set("q", NewQueueObject(r, q))
		return rt
	}
	return mk("a"), mk("b")
}

func qeval(t *testing.T, rt *goja.Runtime, src string) goja.Value {
	t.Helper()
	v, err := rt.RunString(src)
	if err != nil {
		t.Fatalf("%s: %v", src, err)
	}
	return v
}

func TestQueueValuesCrossRuntimes(t *testing.T) {
	a, b := twoRealms(t, 0)
	qeval(t, a, `q.put([1, [2, "x"], -3n]); q.put(-7)`)
	b2 := qeval(t, b, `q.qsize()`).ToInteger()
	if b2 != 2 {
		t.Fatalf("qsize %d, want 2", b2)
	}
	if v := qeval(t, b, `const t = q.get(); t.length === 3 && t[1][1] === "x" && t[2] === -3n && Array.isArray(t[1])`); !v.ToBoolean() {
		t.Fatal("tuple did not arrive as nested arrays with a BigInt")
	}
	if v := qeval(t, b, `q.getNowait() === -7 && q.empty() && !q.full() && q.maxsize === 0`); !v.ToBoolean() {
		t.Fatal("last item, empty, full, maxsize")
	}
}

func TestQueueFirstItemsInOrder(t *testing.T) {
	a, b := twoRealms(t, 0)
	qeval(t, a, `q.put(1.5); q.put("s"); q.put(true); q.put(null); q.put(undefined); q.put(12345678901234567890n)`)
	if v := qeval(t, b, `q.get() === 1.5 && q.get() === "s" && q.get() === true && q.get() === null && q.get() === null && q.get() === 12345678901234567890n`); !v.ToBoolean() {
		t.Fatal("values changed on the way")
	}
}

func TestQueueTransferDetaches(t *testing.T) {
	a, b := twoRealms(t, 0)
	if v := qeval(t, a, `const ab = new ArrayBuffer(4); new Uint8Array(ab)[1] = 9; q.put(["msg", ab], { transfer: [ab] }); ab.byteLength`); v.ToInteger() != 0 {
		t.Fatalf("the sender's ArrayBuffer has byteLength %v after the transfer, want 0 (detached)", v)
	}
	if v := qeval(t, b, `const m = q.get(); m[0] === "msg" && m[1] instanceof ArrayBuffer && m[1].byteLength === 4 && new Uint8Array(m[1])[1] === 9`); !v.ToBoolean() {
		t.Fatal("the receiver did not get the bytes in a new ArrayBuffer")
	}
	// A refused put detaches nothing.
	if v := qeval(t, a, `const ab2 = new ArrayBuffer(2); let msg = ""; try { q.put([ab2, {}], { transfer: [ab2] }) } catch (e) { msg = e.name + ": " + e.message } msg + "|" + ab2.byteLength`); !strings.HasSuffix(v.String(), "|2") || !strings.HasPrefix(v.String(), "TypeError") {
		t.Fatalf("refused put: %v", v)
	}
}

func TestQueueRefusesWithTypeErrors(t *testing.T) {
	a, _ := twoRealms(t, 1)
	for _, c := range []struct{ src, want string }{
		{`q.put({a: 1})`, "item: [object Object] (Object) cannot be put on a queue"},
		{`q.put(() => 1)`, "item: a function cannot be put on a queue"},
		{`q.put(Symbol("s"))`, "cannot be put on a queue"},
		{`q.put([1, new Map()])`, "item[1]:"},
		{`q.put(new ArrayBuffer(1))`, "passes only by transfer"},
		{`const x = new ArrayBuffer(1); q.put(1, {transfer: [x]})`, "transfer[0] does not occur in the item"},
		{`q.put(1, {transfer: [1]})`, "transfer[0]: 1 is not an ArrayBuffer"},
		{`const y = []; y.push(y); q.put(y)`, "contains itself"},
	} {
		v := qeval(t, a, `(() => { try { `+c.src+`; return "no error" } catch (e) { return e.name + ": " + e.message } })()`)
		if !strings.HasPrefix(v.String(), "TypeError") || !strings.Contains(v.String(), c.want) {
			t.Errorf("%s: %s, want a TypeError with %q", c.src, v, c.want)
		}
	}
	// Nothing was enqueued by the refused puts; QueueFull and QueueEmpty.
	v := qeval(t, a, `q.put_nowait(1); let r = []; try { q.putNowait(2) } catch (e) { r.push(e.name) }
		try { q.put(3, {timeout: 1}) } catch (e) { r.push(e.name) }
		r.push(q.full(), q.qsize(), q.get()); try { q.get({timeout: 0}) } catch (e) { r.push(e.name) } r.join(",")`)
	if v.String() != "QueueFull,QueueFull,true,1,1,QueueEmpty" {
		t.Fatalf("got %s", v)
	}
}

func TestQueuePassesQueues(t *testing.T) {
	a, b := twoRealms(t, 0)
	qeval(t, a, `q.put(q)`)
	if v := qeval(t, b, `const q2 = q.get(); q2.put(5); q.get() === 5`); !v.ToBoolean() {
		t.Fatal("a queue did not pass by reference")
	}
}

func TestQueueSharedArrayBufferByReference(t *testing.T) {
	a, b := twoRealms(t, 0)
	qeval(t, a, `const s = new SharedArrayBuffer(8); q.put(["sab", s]); Atomics.store(new Int32Array(s), 1, 9)`)
	if v := qeval(t, b, `const [tag, s2] = q.get(); tag === "sab" && s2 instanceof SharedArrayBuffer && Atomics.load(new Int32Array(s2), 1) === 9`); !v.ToBoolean() {
		t.Fatal("the SharedArrayBuffer did not arrive by reference")
	}
	v := qeval(t, a, `(() => { try { q.put(s, {transfer: [s]}); return "no error" } catch (e) { return e.name + ": " + e.message } })()`)
	if !strings.Contains(v.String(), "TypeError") || !strings.Contains(v.String(), "cannot transfer a SharedArrayBuffer") {
		t.Fatalf("transfer of a SAB: %s", v)
	}
	v = qeval(t, a, `(() => { try { q.put(new Int32Array(s)); return "no error" } catch (e) { return e.name + ": " + e.message } })()`)
	if !strings.Contains(v.String(), "TypeError") || !strings.Contains(v.String(), "cannot be put on a queue") {
		t.Fatalf("a typed array: %s", v)
	}
}
