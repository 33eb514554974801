package scenarios_test

import (
	"testing"

	"go.uber.org/goleak"
)

// TestMain checks that no exploration leaves a goroutine behind: every
// agent of every execution — finished, deadlocked, aborted or unwound —
// has ended when the tests do.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}
