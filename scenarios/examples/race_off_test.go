//go:build !race

package examples_test

// raceDetector: the tests are built with -race.
const raceDetector = false
