package atomics

import (
	"os/exec"
	"regexp"
	"testing"
)

// TestFastPathsInline guards the performance design: Load, Store and Add
// must stay within the Go inliner's budget, so that their Int32 fast paths
// (mem.Array.LoadInt32 etc.) inline into callers. A change that
// pushes them over the budget fails here rather than silently costing a
// function call per operation.
func TestFastPathsInline(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the package with -gcflags=-m")
	}
	goTool, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command:", err)
	}
	out, err := exec.Command(goTool, "build", "-gcflags=-m", "-o", "/dev/null", ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build -gcflags=-m: %v\n%s", err, out)
	}
	for _, fn := range []string{"Load", "Store", "Add"} {
		if !regexp.MustCompile(`(?m)atomics\.go:\d+:\d+: can inline ` + fn + `( |$)`).Match(out) {
			t.Errorf("%s is no longer inlinable:\n%s", fn, out)
		}
	}
	for _, fn := range []string{"LoadInt32", "StoreInt32", "AddInt32"} {
		if !regexp.MustCompile(`inlining call to mem\.\(\*Array\)\.` + fn).Match(out) {
			t.Errorf("the %s fast path is not inlined into atomics", fn)
		}
	}
}
