//go:build sabre_mutants

package mutant

import (
	"sync"
	"sync/atomic"
)

// Enabled reports whether the mutants are compiled in (the build tag
// sabre_mutants).
const Enabled = true

// active is the mutant in force, or nil.
var active atomic.Pointer[Mutant]

// Is reports whether mutant m is in force: one atomic load and a
// comparison.
func Is(m Mutant) bool {
	p := active.Load()
	return p != nil && *p == m
}

// Set puts mutant m in force, process-wide, in place of the one in force
// (if any), and returns the function that puts that one back; "" puts none
// in force. An m that is not Known matches no hook (it is in force, but
// nothing tests for it). Calling restore more than once does nothing after
// the first.
//
// The mutant is in force for every goroutine: a test that sets one must
// not run in parallel (t.Parallel) with tests that expect the real code.
func Set(m Mutant) (restore func()) {
	var p *Mutant
	if m != "" {
		p = &m
	}
	prev := active.Swap(p)
	var once sync.Once
	return func() {
		once.Do(func() { active.Store(prev) })
	}
}

// Current returns the mutant in force, or "".
func Current() Mutant {
	if p := active.Load(); p != nil {
		return *p
	}
	return ""
}

// All returns every mutant, in a fixed order (a new slice each time).
func All() []Mutant { return append([]Mutant(nil), all[:]...) }
