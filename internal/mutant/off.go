//go:build !sabre_mutants

package mutant

// Enabled reports whether the mutants are compiled in (the build tag
// sabre_mutants).
const Enabled = false

// Is reports whether mutant m is in force: never, without the build tag
// sabre_mutants. It is constant false, so a call inlines to false and the
// code it guards is removed.
func Is(Mutant) bool { return false }
