package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"iter"
	"os"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/extract-go/llamaextract/internal/fileinput"
)

func hasMeta(p string) bool { return strings.ContainsAny(p, "*?[") }

// inputs streams the documents: arguments in order (globs expanded,
// directories walked), then --from. Nothing is collected. The batch's own
// files are skipped; an input that exists but is not a regular file (a
// device, a FIFO, a socket, a link to one, a link to a directory met in a
// walk, a loop of links) is never opened, nor is a file above the upload
// limit: it goes to refuse with the reason. An input that
// cannot be looked at (missing, a dangling link) is yielded, and the batch
// reports it as a failed document.
func (f *batchFlags) inputs(g *globals, own *ownFiles, refuse func(path, why string)) iter.Seq[string] {
	return func(yield func(string) bool) {
		w := &walker{f: f, own: own, refuse: refuse, yield: yield}
		for _, a := range f.args {
			if !w.arg(a) {
				return
			}
		}
		if f.from != "" {
			w.list(g)
		}
	}
}

// walker feeds one pass over the inputs to yield.
type walker struct {
	f      *batchFlags
	own    *ownFiles
	refuse func(path, why string)
	yield  func(string) bool
}

// keep applies --include and --exclude to a file name.
func (f *batchFlags) keep(path string) bool {
	name := filepath.Base(path)
	for _, p := range f.exclude {
		if ok, _ := filepath.Match(p, name); ok {
			return false
		}
	}
	if len(f.include) == 0 {
		return true
	}
	for _, p := range f.include {
		if ok, _ := filepath.Match(p, name); ok {
			return true
		}
	}
	return false
}

// arg takes one argument: a glob, a directory or a file. It reports false
// when the consumer stopped.
func (w *walker) arg(a string) bool {
	if !hasMeta(a) {
		return w.visit(a, false)
	}
	matches, _ := filepath.Glob(a)
	for _, m := range matches {
		if !w.visit(m, true) {
			return false
		}
	}
	return true
}

// visit takes a path the user named (argument, glob match, line of
// --from): a directory, or a link to one, is walked; filtered applies
// --include/--exclude to a file.
func (w *walker) visit(p string, filtered bool) bool {
	st, err := os.Stat(p)
	if err == nil && st.IsDir() {
		if w.own.isOutDir(st) || w.own.dir != "" && within(canon(p), w.own.dir) {
			return true
		}
		// The separator makes WalkDir follow p itself when it is a link;
		// links inside are not followed.
		return w.walk(p + string(filepath.Separator))
	}
	if filtered && !w.f.keep(p) {
		return true
	}
	return w.file(p, st, err, true)
}

// file yields p unless it is one of the batch's own files (skipped) or
// not a regular file (refused). st and err are p's os.Stat.
func (w *walker) file(p string, st fs.FileInfo, err error, deep bool) bool {
	switch {
	case errors.Is(err, syscall.ELOOP):
		w.refuse(p, "a loop of symbolic links: it can never be read")
		return true
	case err != nil:
		return w.yield(p)
	case w.own.has(p, st, deep):
		return true
	case st.IsDir():
		w.refuse(p, "a link to a directory: links inside a walked directory are not followed (name the directory itself to extract it)")
		return true
	case !st.Mode().IsRegular():
		w.refuse(p, "not a regular file ("+kind(st.Mode())+"): never opened")
		return true
	case st.Size() > fileinput.MaxUploadSize:
		w.refuse(p, fmt.Sprintf("%d bytes, above the upload limit of %d bytes: never read (split it, or extract fewer pages of it)", st.Size(), fileinput.MaxUploadSize))
		return true
	}
	return w.yield(p)
}

// walk walks the directory root. A directory that cannot be read is
// refused; --out-dir is skipped.
func (w *walker) walk(root string) bool {
	stop := false
	_ = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			w.refuse(path, "cannot be read: "+trimPrefix(err.Error()))
			return nil
		}
		if d.IsDir() {
			if st, err := d.Info(); err == nil && w.own.isOutDir(st) {
				return filepath.SkipDir
			}
			return nil
		}
		if !w.f.keep(path) {
			return nil
		}
		var st fs.FileInfo
		link := d.Type()&fs.ModeSymlink != 0
		if link {
			st, err = os.Stat(path)
		} else {
			st, err = d.Info()
		}
		// A link may point into --out-dir, which the walk itself never
		// enters.
		if !w.file(path, st, err, link) {
			stop = true
			return filepath.SkipAll
		}
		return nil
	})
	return !stop
}

// list reads --from: one path a line, blank lines and # comments skipped.
func (w *walker) list(g *globals) {
	var r io.Reader = g.stdin
	if w.f.from != "-" {
		file, err := os.Open(w.f.from)
		if err != nil {
			// A missing list is a failed document, reported as such.
			w.yield(w.f.from)
			return
		}
		defer file.Close()
		r = file
	}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		trimmed := strings.TrimSpace(line)
		if trimmed == "" || strings.HasPrefix(trimmed, "#") {
			continue
		}
		// A line is the path as given when a file has that name (one that
		// ends with a space, as find prints it); otherwise the spaces, and
		// a CRLF's CR, are the list's own.
		if _, err := os.Lstat(line); err != nil {
			line = trimmed
		}
		if !w.visit(line, false) {
			return
		}
	}
	if err := sc.Err(); err != nil {
		w.refuse(w.f.from, "reading the list stopped: "+err.Error()+" (one path per line)")
	}
}

// kind names a file mode that is not a regular file's.
func kind(m fs.FileMode) string {
	switch {
	case m&fs.ModeNamedPipe != 0:
		return "a FIFO"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeCharDevice != 0:
		return "a character device"
	case m&fs.ModeDevice != 0:
		return "a device"
	case m&fs.ModeIrregular != 0:
		return "an irregular file"
	}
	return "mode " + m.String()
}
