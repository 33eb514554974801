// Package js runs JavaScript agents on goja (github.com/dop251/goja) over
// sabre's shared memory: SharedArrayBuffer, typed arrays and DataView over
// it, and Atomics, every shared access going through packages shared and
// atomics (so recorded and schedulable like a Go agent's).
package js
