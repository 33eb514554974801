package atomics

import (
	"math"
	"runtime"

	"github.com/sabre-mm/sabre/shared"
)

// lockFree8 reports whether 8-byte atomics are lock-free: Go's sync/atomic
// implements 64-bit operations with a lock only on 32-bit MIPS.
var lockFree8 = runtime.GOARCH != "mips" && runtime.GOARCH != "mipsle"

// IsLockFree reports whether Atomics operations on elements of size bytes
// are lock-free (Atomics.isLockFree): true for 4, as ECMA-262 requires; true
// for 1 and 2, which are compare-and-swap loops on the containing 32-bit
// word; true for 8 where sync/atomic's 64-bit operations are native (all
// supported platforms but 32-bit MIPS); false for any other size.
func IsLockFree(size int) bool {
	switch size {
	case 1, 2, 4:
		return true
	case 8:
		return lockFree8
	}
	return false
}

// MaxPause is the most spin-wait hints one PauseN sends: a larger count is
// clamped, so that a huge count cannot turn a hint into a hang.
const MaxPause = 1 << 16

// Pause sends the processor one spin-wait hint (PAUSE on amd64 and 386,
// YIELD on arm64; elsewhere a no-op): Atomics.pause() with no argument. It
// neither blocks nor yields the goroutine.
func Pause() { spinHint(1) }

// PauseN is Atomics.pause(n): n must be an integral Number, or it is a
// TypeError (NaN, ±Infinity and fractions are refused; -0 is integral). It
// sends n spin-wait hints, none for n ≤ 0 and at most MaxPause. ECMA-262
// leaves the meaning of n to the implementation beyond "larger waits longer".
func PauseN(n float64) error {
	if n != n || math.IsInf(n, 0) || n != math.Trunc(n) {
		return shared.Errorf(shared.TypeError, opPause, "iteration count %v is not an integral Number", n)
	}
	if n > 0 {
		spinHint(uint32(min(n, MaxPause)))
	}
	return nil
}
