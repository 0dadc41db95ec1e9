// Package fileinput holds the one rule for what a user passed as a
// document: an uploaded file's ID (dfl-...), a completed parse job's ID
// (pjb-...), or a path on disk; and the one way a document on disk is read
// for an upload: Open checks it (a regular file, at most a size limit such
// as MaxUploadSize) and hashes it by streaming, and the Input's Reader
// streams it to the upload, checking it is still what was hashed. The
// wrapper, the batch and the CLI all use it, so they never disagree.
package fileinput

import (
	"os"
	"strings"
)

// IsID reports whether s (trimmed) has the form of a file input the API
// takes: a file ID (dfl-...) or a parse job ID (pjb-...).
func IsID(s string) bool {
	s = strings.TrimSpace(s)
	return strings.HasPrefix(s, "dfl-") || strings.HasPrefix(s, "pjb-")
}

// Resolve tells an ID from a path: s is an ID when it has an ID's form and
// no file of that name exists, so a local file named "dfl-report.pdf" is
// still uploaded. It returns s trimmed.
func Resolve(s string) (in string, isID bool) {
	s = strings.TrimSpace(s)
	if !IsID(s) {
		return s, false
	}
	if _, err := os.Stat(s); err == nil {
		return s, false
	}
	return s, true
}
