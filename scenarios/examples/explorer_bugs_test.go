package examples_test

// Reproducers of bugs in the explorer (package scenarios) found while
// writing the examples. Each is skipped, with a message naming the bug,
// until the explorer is fixed; remove the t.Skip to see it fail.

import (
	"testing"

	"github.com/sabre-mm/sabre/scenarios"
	"github.com/sabre-mm/sabre/scenarios/examples"
)

// TestExplorerBugMessageNamesBufferID: a failure's message names buffers
// by their process-wide IDs (describe, in engine.go: "on buffer 66 at byte
// 0"), which differ in every execution and every run, so replaying a
// failure never reproduces its message exactly — only up to those IDs,
// which is how the other tests here compare (stableMessage). Naming the
// buffer by its World name ("on buffer m at byte 0") would make the
// round trip exact.
func TestExplorerBugMessageNamesBufferID(t *testing.T) {
	t.Skip("explorer bug: failure messages name buffers by process-wide ID, so a replayed failure's message differs (see the comment)")
	opt := scenarios.Options{}
	rep := explore(t, examples.MPWaitNotifyLostWakeup(), opt)
	f := onlyFailure(t, rep, scenarios.FailDeadlock)
	opt.Strategy = scenarios.Replay(f.Schedule)
	again := onlyFailure(t, explore(t, examples.MPWaitNotifyLostWakeup(), opt), scenarios.FailDeadlock)
	if again.Message != f.Message {
		t.Errorf("the replay's message\n  %s\ndiffers from the failure's\n  %s", again.Message, f.Message)
	}
}
