//go:build !race

package wrapper_test

// raceEnabled: see race_on_test.go.
const raceEnabled = false
