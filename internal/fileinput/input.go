package fileinput

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// MaxUploadSize is the largest file this client uploads: 100,000,000 bytes.
// LlamaCloud documents 100 MB as the largest file Extract takes (and 512 MB
// for the platform's uploads in general); "MB" is read as decimal
// megabytes, the smaller of its two readings, so that a file this client
// accepts is not refused for its size by the service under either. It is
// this client's limit, stated so that a larger file is refused before
// anything is sent, not a value the service reports.
const MaxUploadSize int64 = 100 * 1000 * 1000

// ErrNotRegular is matched (errors.Is) by the error for an input that is not
// a regular file: a directory, a device (a link to /dev/zero), a named pipe
// or a socket. Such an input is refused before it is read.
var ErrNotRegular = errors.New("not a regular file")

// ErrTooLarge is matched by the error for an input above the size limit
// given to Open.
var ErrTooLarge = errors.New("file too large to upload")

// ErrChanged is matched by the error an Input's reader returns when the
// file no longer holds the content Open hashed (it was written to,
// truncated, grown or replaced since).
var ErrChanged = errors.New("file changed after it was hashed")

// Input is a regular file whose size and content hash were taken by one
// streaming read. It holds no content: memory stays bounded whatever the
// file's size. An Input is safe for concurrent use; each Reader is not.
//
// Errors from this package carry no "llamaextract: " prefix; the caller
// adds it (and may turn them into its own typed errors). Each names the
// path, quoted.
type Input struct {
	path string
	size int64
	sum  [sha256.Size]byte
}

// Open checks the file at path and hashes it, before anything is sent.
//
// A symbolic link is followed (os.Stat). Anything that is not a regular
// file is refused without being opened for reading (so a named pipe never
// blocks and a device is never read): the error names the path, says what
// it is and matches ErrNotRegular. A file above maxSize bytes (by its size,
// or by what is read from it, for files such as those in /proc whose size
// says 0) is refused with an error naming its size and the limit that
// matches ErrTooLarge. An error of the file system is returned as the
// *fs.PathError, so errors.Is(err, fs.ErrNotExist) holds for a missing
// input. The content's SHA-256 is computed by streaming it: Open holds a
// few kilobytes whatever the file's size.
func Open(path string, maxSize int64) (*Input, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if err := checkMode(path, st.Mode()); err != nil {
		return nil, err
	}
	if st.Size() > maxSize {
		return nil, tooLarge(path, st.Size(), maxSize, "")
	}
	f, err := openRegular(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	h := sha256.New()
	n, err := io.Copy(h, io.LimitReader(f, maxSize+1))
	if err != nil {
		return nil, err
	}
	if n > maxSize {
		return nil, tooLarge(path, n, maxSize, "at least ")
	}
	in := &Input{path: path, size: n}
	h.Sum(in.sum[:0])
	return in, nil
}

// checkMode refuses what is not a regular file.
func checkMode(path string, m fs.FileMode) error {
	if m.IsRegular() {
		return nil
	}
	kind := "not a regular file"
	switch {
	case m.IsDir():
		kind = "a directory"
	case m&fs.ModeCharDevice != 0:
		kind = "a character device"
	case m&fs.ModeDevice != 0:
		kind = "a block device"
	case m&fs.ModeNamedPipe != 0:
		kind = "a named pipe (FIFO)"
	case m&fs.ModeSocket != 0:
		kind = "a socket"
	}
	return fmt.Errorf("%q is %s; only regular files are uploaded: %w", path, kind, ErrNotRegular)
}

func tooLarge(path string, size, limit int64, atLeast string) error {
	return fmt.Errorf("%q is %s%d bytes, above the upload limit of %d bytes: %w", path, atLeast, size, limit, ErrTooLarge)
}

// openRegular opens path for reading without blocking on a named pipe put
// in its place since it was checked, and refuses what is not a regular
// file.
func openRegular(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|nonblock, 0)
	if err != nil {
		return nil, err
	}
	st, err := f.Stat()
	if err == nil {
		err = checkMode(path, st.Mode())
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

// Path returns the path given to Open.
func (in *Input) Path() string { return in.path }

// Name returns the file's base name, the name it is uploaded under.
func (in *Input) Name() string { return filepath.Base(in.path) }

// Size returns the content's size in bytes, as Open read it.
func (in *Input) Size() int64 { return in.size }

// Hash returns the hex SHA-256 of the content, as Open read it.
func (in *Input) Hash() string { return hex.EncodeToString(in.sum[:]) }

// Reader opens the file again for an upload (call it once per attempt) and
// returns a reader of exactly Size bytes that checks them against Hash as
// they are read. When the file no longer holds what Open hashed (other
// bytes, fewer, more, or something that is not a regular file any more),
// the read that would have ended the content returns an error matching
// ErrChanged instead of io.EOF, so a consumer that stops at the first
// error (io.Copy, an HTTP request body) never completes an upload of other
// content under the stale hash. The caller closes the reader.
func (in *Input) Reader() (io.ReadCloser, error) {
	f, err := openRegular(in.path)
	if err != nil {
		return nil, err
	}
	return &verifier{in: in, f: f, h: sha256.New(), left: in.size}, nil
}

// verifier reads an Input's file and checks it against the Input's hash.
type verifier struct {
	in   *Input
	f    *os.File
	h    hash.Hash
	left int64 // bytes of the content not yet read
	err  error // sticky once the end is reached
}

func (v *verifier) Read(p []byte) (int, error) {
	if v.err != nil {
		return 0, v.err
	}
	if v.left == 0 {
		v.err = v.end()
		return 0, v.err
	}
	p = p[:min(int64(len(p)), v.left)]
	n, err := v.f.Read(p)
	v.h.Write(p[:n])
	v.left -= int64(n)
	if err == io.EOF {
		v.err = v.changed(fmt.Sprintf("it ended %d bytes early", v.left))
		return n, v.err
	}
	return n, err
}

// end checks, once Size bytes were read, that the file ends there and that
// what was read is what Open hashed.
func (v *verifier) end() error {
	var one [1]byte
	n, err := io.ReadFull(v.f, one[:])
	switch {
	case n > 0:
		return v.changed(fmt.Sprintf("it is longer than the %d bytes hashed", v.in.size))
	case err != io.EOF:
		return err
	case !bytes.Equal(v.h.Sum(nil), v.in.sum[:]):
		return v.changed("its content differs")
	}
	return io.EOF
}

func (v *verifier) changed(how string) error {
	return fmt.Errorf("%q: %w: %s", v.in.path, ErrChanged, how)
}

// Close closes the file.
func (v *verifier) Close() error { return v.f.Close() }
