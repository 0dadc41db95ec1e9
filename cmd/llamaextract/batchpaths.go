package main

import (
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"unicode"
)

// stateLockSuffix names the state file's lock (internal/batchstate takes
// an flock on the state's path plus this suffix).
const stateLockSuffix = ".lock"

// ownFiles are the files the batch writes: --out, --state and its lock,
// and --out-dir with everything in it (results and temporary files). The
// walk skips them wherever they sit in the tree: uploading them would make
// a new job on every run, as they change on every run.
type ownFiles struct {
	// paths are the canonical paths of --out, --state and the lock; dir is
	// --out-dir's ("" without one).
	paths []string
	dir   string
	// infos and dirInfo identify them once they exist (identify), so that
	// a hard link or a symlink to one is known too.
	infos   []fs.FileInfo
	dirInfo fs.FileInfo
}

// identify learns the identity of the batch's files; it runs once they
// exist, after the lock.
func (o *ownFiles) identify() {
	o.infos = nil
	for _, p := range o.paths {
		if st, err := os.Stat(p); err == nil {
			o.infos = append(o.infos, st)
		}
	}
	if o.dir != "" {
		if st, err := os.Stat(o.dir); err == nil && st.IsDir() {
			o.dirInfo = st
		}
	}
}

// isOutDir reports whether the directory st is --out-dir.
func (o *ownFiles) isOutDir(st fs.FileInfo) bool {
	return o.dirInfo != nil && st != nil && os.SameFile(st, o.dirInfo)
}

// has reports whether the file at path, whose os.Stat is st, is one the
// batch writes. deep also checks where path sits (a path that did not come
// from the walk, which never enters --out-dir).
func (o *ownFiles) has(path string, st fs.FileInfo, deep bool) bool {
	for _, in := range o.infos {
		if os.SameFile(in, st) {
			return true
		}
	}
	if !deep {
		return false
	}
	if o.dir != "" && within(canon(path), o.dir) {
		return true
	}
	parent, err := os.Stat(filepath.Dir(path))
	return err == nil && o.isOutDir(parent)
}

// preflight finds every conflict between the paths the batch writes and
// reads, before anything is touched or uploaded: each is a usage error
// naming the flags and the fix.
func (f *batchFlags) preflight() (*ownFiles, error) {
	var written []namedPath
	if f.out != "" {
		written = append(written, namedPath{"--out", f.out})
	}
	if f.state != "" {
		written = append(written, namedPath{"--state", f.state}, namedPath{"--state's lock file", f.state + stateLockSuffix})
	}
	read := []namedPath{{"--from", f.from}, {"--schema", f.extract.schema}}
	o := &ownFiles{}
	for i, w := range written {
		if err := w.checkAgainst(written[:i], read); err != nil {
			return nil, err
		}
		o.paths = append(o.paths, canon(w.path))
	}
	if f.outDir != "" {
		if st, err := os.Stat(f.outDir); err == nil && !st.IsDir() {
			return nil, usagef("--out-dir %s exists and is not a directory; give a directory", f.outDir)
		}
		o.dir = canon(f.outDir)
		for _, w := range written {
			if within(canon(w.path), o.dir) {
				return nil, usagef("%s %s is inside --out-dir %s, where the batch writes one file per document; put %s outside --out-dir", w.flag, w.path, f.outDir, w.flag)
			}
		}
	}
	for _, w := range written {
		if st, err := os.Stat(filepath.Dir(w.path)); err != nil || !st.IsDir() {
			return nil, usagef("%s %s: its directory %s does not exist; create it first", w.flag, w.path, filepath.Dir(w.path))
		}
	}
	return o, f.checkArgs(o)
}

// namedPath is a path and the flag that gave it.
type namedPath struct{ flag, path string }

// checkAgainst refuses a written path that is a directory, another written
// path, or a path the batch reads.
func (w namedPath) checkAgainst(written, read []namedPath) error {
	if st, err := os.Stat(w.path); err == nil && st.IsDir() {
		return usagef("%s %s is a directory; give a file path", w.flag, w.path)
	} else if err == nil && !st.Mode().IsRegular() {
		return usagef("%s %s is not a regular file (the batch cuts it back and syncs it); give a file path (without --out, the lines go to stdout)", w.flag, w.path)
	}
	for _, other := range written {
		if samePath(w.path, other.path) {
			return usagef("%s and %s are the same file (%s): the batch writes both; give %s another path (by default --state is --out plus %q)", other.flag, w.flag, w.path, other.flag, ".state")
		}
	}
	for _, r := range read {
		if r.path != "" && r.path != "-" && samePath(w.path, r.path) {
			return usagef("%s %s is %s, which the batch writes; give %s another path", r.flag, r.path, w.flag, w.flag)
		}
	}
	return nil
}

// checkArgs refuses a named document or directory that is one of the
// batch's own files or inside --out-dir.
func (f *batchFlags) checkArgs(o *ownFiles) error {
	for _, a := range f.args {
		if hasMeta(a) {
			continue
		}
		for _, p := range o.paths {
			if samePath(a, p) {
				return usagef("document %s is a file the batch writes (--out, --state or its lock); name the documents apart from the batch's output", a)
			}
		}
		if o.dir != "" && within(canon(a), o.dir) {
			return usagef("document %s is inside --out-dir %s, where the batch writes; give --out-dir outside the documents", a, f.outDir)
		}
	}
	return nil
}

// canon is path made absolute, with the symbolic links of its longest
// existing ancestor resolved, so that two spellings of one place compare
// equal even before the file exists.
func canon(path string) string {
	abs, err := filepath.Abs(path)
	if err != nil {
		return filepath.Clean(path)
	}
	rest := ""
	for dir := abs; ; {
		if real, err := filepath.EvalSymlinks(dir); err == nil {
			return filepath.Join(real, rest)
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return abs
		}
		rest = filepath.Join(filepath.Base(dir), rest)
		dir = parent
	}
}

// samePath reports whether a and b name one file: the same canonical path,
// or (both existing) the same file.
func samePath(a, b string) bool {
	if canon(a) == canon(b) {
		return true
	}
	sa, errA := os.Stat(a)
	sb, errB := os.Stat(b)
	return errA == nil && errB == nil && os.SameFile(sa, sb)
}

// within reports whether path is dir or inside it (both canonical).
func within(path, dir string) bool {
	rel, err := filepath.Rel(dir, path)
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}

// showPath is path as a person can read it on one line: quoted (Go
// syntax) when it holds a byte that is not printable UTF-8.
func showPath(path string) string {
	for _, r := range path {
		if r == unicode.ReplacementChar || !unicode.IsPrint(r) {
			return strconv.Quote(path)
		}
	}
	return path
}
