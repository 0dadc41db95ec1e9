//go:build !unix

package batchstate

import "os"

// lock is a no-op where flock is not available: two batches sharing a
// state file there are not detected (a limit stated in the README).
func lock(string) (*os.File, error) { return nil, nil }
