//go:build race

package asyncore

// raceEnabled: the tests run under the race detector, where a fork costs
// many times more (the detector's shadow memory); tests that start many
// children start fewer.
const raceEnabled = true
