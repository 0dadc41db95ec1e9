//go:build !unix

package main

import "io/fs"

// fileKey knows no file identity here: a hard link into --out-dir is not
// recognised where the system does not report inodes.
func fileKey(fs.FileInfo) (key [2]uint64, linked, ok bool) { return key, false, false }
