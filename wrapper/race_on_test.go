//go:build race

package wrapper_test

// raceEnabled lets a test that streams millions of rows take a smaller size
// under the race detector, which slows decoding about tenfold.
const raceEnabled = true
