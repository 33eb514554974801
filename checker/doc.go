// Package checker reads recorded histories (package history) and says
// whether the implementation kept its promises, and if not, why. It reads
// histories, never live memory: it imports history, model and porcupine,
// and nothing from shared or atomics.
package checker
