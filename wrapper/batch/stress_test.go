//go:build stress

package batch_test

import "testing"

// TestStressBatchUnderFaults is the full-size run: `make stress`.
func TestStressBatchUnderFaults(t *testing.T) {
	rep := runFaultSuite(t, 1000, 32)
	t.Log(rep)
}
