package js

import (
	"testing"

	"github.com/dop251/goja"
)

// benchLoop runs a JS loop of n plain element writes and reads over ta
// (made by mk), reporting the time per iteration.
func benchLoop(b *testing.B, mk string) {
	rt := goja.New()
	if _, err := Install(rt, Options{}); err != nil {
		b.Fatal(err)
	}
	if _, err := rt.RunString(`var ta = ` + mk + `; function loop(n) { var s = 0; for (var i = 0; i < n; i++) { ta[i & 15] = i; s += ta[(i + 1) & 15]; } return s; }`); err != nil {
		b.Fatal(err)
	}
	loop, _ := goja.AssertFunction(rt.Get("loop"))
	b.ResetTimer()
	if _, err := loop(goja.Undefined(), rt.ToValue(b.N)); err != nil {
		b.Fatal(err)
	}
}

// BenchmarkElementsHostView: ta[i] = v; ta[j] on an Int32Array over a
// SharedArrayBuffer (a host view: every access through shared).
func BenchmarkElementsHostView(b *testing.B) {
	benchLoop(b, "new Int32Array(new SharedArrayBuffer(64))")
}

// BenchmarkElementsNative: the same loop on goja's own Int32Array.
func BenchmarkElementsNative(b *testing.B) { benchLoop(b, "new Int32Array(16)") }

// BenchmarkAtomicsAddHostView: Atomics.add in a JS loop on a host view.
func BenchmarkAtomicsAddHostView(b *testing.B) {
	rt := goja.New()
	if _, err := Install(rt, Options{}); err != nil {
		b.Fatal(err)
	}
	if _, err := rt.RunString(`var ta = new Int32Array(new SharedArrayBuffer(64)); function loop(n) { for (var i = 0; i < n; i++) Atomics.add(ta, 0, 1); }`); err != nil {
		b.Fatal(err)
	}
	loop, _ := goja.AssertFunction(rt.Get("loop"))
	b.ResetTimer()
	if _, err := loop(goja.Undefined(), rt.ToValue(b.N)); err != nil {
		b.Fatal(err)
	}
}
