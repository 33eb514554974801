// Package examples is sabre's built-in catalogue of Go scenarios: programs
// the litmus format cannot express (loops, branches, Wait/Notify, the
// Queue, growable buffers), run by the controlled explorer (package
// scenarios) and by `sabre explore`.
//
//   - [Catalogue]: every example scenario, by name.
package examples
