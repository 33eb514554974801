//go:build race

package model

// raceEnabled scales the randomized tests down under the race detector,
// which slows this single-goroutine code about tenfold without finding
// anything more in it.
const raceEnabled = true
