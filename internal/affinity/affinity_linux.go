//go:build linux

package affinity

import (
	"runtime"

	"golang.org/x/sys/unix"
)

// Supported reports whether Pin can pin: Linux, with a
// readable affinity mask.
func Supported() bool {
	var set unix.CPUSet
	return unix.SchedGetaffinity(0, &set) == nil && set.Count() > 0
}

// Pin locks the calling goroutine to its OS thread and pins the
// thread to the i-th processor of the thread's affinity mask (modulo their
// number). It returns the function that restores the mask and unlocks the
// thread. Where pinning fails, it does nothing (the thread stays unpinned).
func Pin(i int) (restore func()) {
	runtime.LockOSThread()
	var old unix.CPUSet
	if err := unix.SchedGetaffinity(0, &old); err != nil || old.Count() == 0 {
		runtime.UnlockOSThread()
		return func() {}
	}
	cpus := make([]int, 0, old.Count())
	for c := 0; len(cpus) < old.Count() && c < 1024; c++ {
		if old.IsSet(c) {
			cpus = append(cpus, c)
		}
	}
	var set unix.CPUSet
	set.Set(cpus[i%len(cpus)])
	if err := unix.SchedSetaffinity(0, &set); err != nil {
		runtime.UnlockOSThread()
		return func() {}
	}
	return func() {
		if unix.SchedSetaffinity(0, &old) != nil {
			// The thread keeps a one-processor mask: it must not serve
			// other goroutines. Ending the goroutine while locked ends it.
			return
		}
		runtime.UnlockOSThread()
	}
}
