//go:build !unix

package main

import "os"

// lockOutDir locks nothing where flock is missing: with no lock, no
// temporary file is removed as stale (it may be another batch's).
func lockOutDir(string) (*os.File, error) { return nil, nil }
