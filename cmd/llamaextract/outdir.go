package main

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"unicode"
	"unicode/utf8"
)

const (
	// maxNameBytes is the longest file name the common file systems take
	// (ext4, XFS, APFS, NTFS in UTF-16 units, which a byte count bounds).
	maxNameBytes = 255
	// outExt ends every --out-dir file.
	outExt = ".json"
	// outHashHex is how many hex digits of the path's SHA-256 end a name
	// that had to be cut (128 bits).
	outHashHex = 32
	// outHashMark separates a cut name from its hash; it is always escaped
	// in a name that was not cut, so the two kinds never meet.
	outHashMark = '~'
	// outEscaped are the bytes written %XX besides control characters, a
	// leading dot and bytes that are not printable UTF-8: the escape byte
	// itself, the byte '/' becomes, the hash mark, and what Windows forbids.
	outEscaped = `%_~\:*?"<>|`
)

// outName names a document's file in --out-dir. The input, cleaned (as the
// batch keys a document), has each '/' written '_' and each byte that could
// be confused with one, or that a file system or a shell handles badly,
// written %XX; so distinct paths have distinct names. A name longer than
// 255 bytes keeps a prefix, cut between escapes, and ends with '~' and the
// SHA-256 of the whole cleaned path instead. See the README for examples.
func outName(input string) string {
	p := filepath.ToSlash(filepath.Clean(input))
	const keep = maxNameBytes - len(outExt) - 1 - outHashHex
	var b strings.Builder
	cut := 0
	for i := 0; i < len(p); {
		r, size := utf8.DecodeRuneInString(p[i:])
		switch c := p[i]; {
		case c == '/':
			b.WriteByte('_')
		case r == utf8.RuneError && size == 1, c < 0x20, c == 0x7f, strings.IndexByte(outEscaped, c) >= 0, c == '.' && i == 0, size > 1 && !unicode.IsPrint(r):
			for _, e := range []byte(p[i : i+size]) {
				fmt.Fprintf(&b, "%%%02X", e)
			}
		default:
			b.WriteString(p[i : i+size])
		}
		i += size
		if b.Len() <= keep {
			cut = b.Len()
		}
	}
	name := b.String()
	if len(name)+len(outExt) <= maxNameBytes {
		return name + outExt
	}
	sum := sha256.Sum256([]byte(p))
	return name[:cut] + string(outHashMark) + hex.EncodeToString(sum[:])[:outHashHex] + outExt
}

// errOutDirBusy is lockOutDir's answer when another batch holds the lock.
var errOutDirBusy = errors.New("llamaextract: --out-dir is in use by another batch")

// tmpPrefix names writeAtomic's temporary files; no outName starts with a
// dot.
const tmpPrefix = ".llamaextract-tmp-"

// writeAtomic writes a file so that a crash leaves the old or the new
// content, never a part.
func writeAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), tmpPrefix+"*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(append(data, '\n')); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// prepareOutDir makes --out-dir, locks it, proves that a file can be
// written there (before any upload: a directory that refuses writes would
// otherwise be found after the first jobs) and removes the temporary files
// a killed run left. It runs with the state file's lock held; the returned
// lock is held until the batch ends (nil where there is no flock).
func prepareOutDir(dir string) (*os.File, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, usagef("--out-dir %s: %v; give a directory this user can create and write", dir, err)
	}
	lock, err := lockOutDir(dir)
	if errors.Is(err, errOutDirBusy) {
		return nil, usagef("--out-dir %s is in use by another batch; give each batch its own --out-dir, or wait for that one to end", dir)
	}
	if err != nil {
		return nil, usagef("--out-dir %s: %v", dir, err)
	}
	probe, err := os.CreateTemp(dir, tmpPrefix+"*")
	if err == nil {
		probe.Close()
		err = os.Remove(probe.Name())
	}
	if err != nil {
		if lock != nil {
			lock.Close()
		}
		return nil, usagef("--out-dir %s cannot be written: %v; give a directory this user can write, or make it writable", dir, err)
	}
	if lock != nil {
		removeStaleTemps(dir)
	}
	return lock, nil
}

// removeStaleTemps removes the temporary files of writeAtomic that a kill
// left in dir; only the holder of dir's lock may.
func removeStaleTemps(dir string) {
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), tmpPrefix) {
			_ = os.Remove(filepath.Join(dir, e.Name()))
		}
	}
}
