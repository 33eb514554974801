package js

import "testing"

// TestBuiltins runs each JS file under testdata/builtins in a fresh realm.
func TestBuiltins(t *testing.T) {
	for _, name := range []string{"sab.js", "atomics_basic.js", "typedarray.js", "dataview.js", "atomics_errors.js", "waitasync.js", "interop.js"} {
		t.Run(name, func(t *testing.T) { runFile(t, name) })
	}
}
