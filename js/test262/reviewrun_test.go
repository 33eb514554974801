package test262

import (
	"strings"
	"testing"
	"time"
)

// TestReviewRun_StrictLineOffByOne: a strict run prefixes the source with
// "use strict";\n (runner.go runMode) and compiles it under the test's own
// name, so every position in a strict-mode failure is one line below the
// real one: the real checkout shows it too ("…resize-to-zero.js:28:15" in
// sloppy mode, ":29:15" in strict mode for the same statement). A reason
// that names a wrong line sends the reader to the wrong statement.
// Expected: both modes name throw-line.js:5:1, where the throw is.
func TestReviewRun_StrictLineOffByOne(t *testing.T) {
	r := newRunner(t, Config{Root: "testdata/reviewrun", Timeout: 30 * time.Second, Jobs: 1})
	res := r.RunFile("testdata/reviewrun/test/throw-line.js")
	if res.Status != Fail {
		t.Fatalf("%v (%s), want FAIL", res.Status, res.Reason)
	}
	modes := strings.Split(res.Reason, "; ")
	if len(modes) != 2 || !strings.HasPrefix(modes[0], "sloppy: ") || !strings.HasPrefix(modes[1], "strict: ") {
		t.Fatalf("reason %q: want a sloppy and a strict failure", res.Reason)
	}
	for _, m := range modes {
		if !strings.Contains(m, "throw-line.js:5:1") {
			t.Errorf("%q does not point at throw-line.js:5:1 (the throw statement)", m)
		}
	}
}
