//go:build !race

package asyncore

// raceEnabled: see race_on_test.go.
const raceEnabled = false
