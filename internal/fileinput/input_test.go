package fileinput

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"testing/iotest"
)

func write(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

func hexSum(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// readAll reads an Input through a fresh Reader.
func readAll(t *testing.T, in *Input) ([]byte, error) {
	t.Helper()
	r, err := in.Reader()
	if err != nil {
		return nil, err
	}
	defer r.Close()
	return io.ReadAll(r)
}

func TestOpenHashesAndReadsBack(t *testing.T) {
	path := filepath.Join(t.TempDir(), "invoice.pdf")
	content := strings.Repeat("an invoice, ", 10000)
	write(t, path, content)
	in, err := Open(path, MaxUploadSize)
	if err != nil {
		t.Fatal(err)
	}
	if in.Size() != int64(len(content)) || in.Hash() != hexSum(content) || in.Name() != "invoice.pdf" || in.Path() != path {
		t.Fatalf("size %d hash %s name %q path %q", in.Size(), in.Hash(), in.Name(), in.Path())
	}
	// Every attempt of an upload reads the whole content again, and the
	// reader behaves as an io.Reader must (short buffers, EOF that stays).
	for range 2 {
		r, err := in.Reader()
		if err != nil {
			t.Fatal(err)
		}
		if err := iotest.TestReader(r, []byte(content)); err != nil {
			t.Fatal(err)
		}
		r.Close()
	}
	r, err := in.Reader()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	got, err := io.ReadAll(iotest.OneByteReader(r))
	if err != nil || string(got) != content {
		t.Fatalf("one byte at a time: %d bytes, %v", len(got), err)
	}
}

func TestOpenEmptyFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "empty.txt")
	write(t, path, "")
	in, err := Open(path, 0)
	if err != nil {
		t.Fatal(err)
	}
	got, err := readAll(t, in)
	if err != nil || len(got) != 0 || in.Hash() != hexSum("") {
		t.Fatalf("%q, %v, hash %s", got, err, in.Hash())
	}
}

// A missing input is the file system's error, matchable as such, from Open
// and from a Reader when the file went away after Open.
func TestOpenMissingIsNotExist(t *testing.T) {
	path := filepath.Join(t.TempDir(), "gone.pdf")
	if _, err := Open(path, MaxUploadSize); !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), path) {
		t.Fatalf("Open: %v, want fs.ErrNotExist naming the path", err)
	}
	write(t, path, "x")
	in, err := Open(path, MaxUploadSize)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	if _, err := in.Reader(); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("Reader after removal: %v, want fs.ErrNotExist", err)
	}
}

// A link to /dev/zero would be read forever: it is refused by what it is,
// before a byte is read, not by the size limit.
func TestOpenRefusesDevicesAndDirectories(t *testing.T) {
	dir := t.TempDir()
	zero := filepath.Join(dir, "zero.pdf")
	if err := os.Symlink("/dev/zero", zero); err != nil {
		t.Fatal(err)
	}
	cases := map[string]string{zero: "a character device", dir: "a directory"}
	for path, kind := range cases {
		_, err := Open(path, MaxUploadSize)
		if !errors.Is(err, ErrNotRegular) || !strings.Contains(err.Error(), path) ||
			!strings.Contains(err.Error(), kind) || !strings.Contains(err.Error(), "not a regular file") {
			t.Errorf("Open(%s): %v, want ErrNotRegular naming the path and %q", path, err, kind)
		}
	}
}

func TestOpenRefusesAboveTheLimit(t *testing.T) {
	dir := t.TempDir()
	at, above := filepath.Join(dir, "at"), filepath.Join(dir, "above")
	write(t, at, "0123456789")
	write(t, above, "0123456789A")
	if in, err := Open(at, 10); err != nil || in.Size() != 10 {
		t.Fatalf("a file of exactly the limit: %v", err)
	}
	_, err := Open(above, 10)
	if !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), above) ||
		!strings.Contains(err.Error(), "11 bytes") || !strings.Contains(err.Error(), "limit of 10 bytes") {
		t.Fatalf("above the limit: %v, want ErrTooLarge naming the path, the size and the limit", err)
	}
}

// A file whose size says 0 but that holds more (procfs) is held to the
// limit by what is read from it, and its hash is of what was read.
func TestOpenHoldsFilesThatUnderstateTheirSize(t *testing.T) {
	const path = "/proc/self/cmdline"
	st, err := os.Stat(path)
	if err != nil || st.Size() != 0 {
		t.Skipf("no procfs here (%v)", err)
	}
	_, err = Open(path, 1)
	if !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), "at least 2 bytes") {
		t.Fatalf("limit 1: %v, want ErrTooLarge after reading 2 bytes", err)
	}
	in, err := Open(path, MaxUploadSize)
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if in.Size() != int64(len(want)) || in.Hash() != hexSum(string(want)) {
		t.Fatalf("size %d hash %s, want %d bytes", in.Size(), in.Hash(), len(want))
	}
	if got, err := readAll(t, in); err != nil || !bytes.Equal(got, want) {
		t.Fatalf("read back %q, %v", got, err)
	}
}

// Whatever happened to the file between Open and the upload, the reader
// fails at the end instead of ending the content normally, and keeps
// failing: other bytes of the same size, more, fewer, or a device.
func TestReaderDetectsAChangedFile(t *testing.T) {
	const content = "the content that was hashed"
	cases := map[string]func(path string) error{
		"same size": func(p string) error { return os.WriteFile(p, []byte(strings.ToUpper(content)), 0o600) },
		"grown":     func(p string) error { return os.WriteFile(p, []byte(content+"!"), 0o600) },
		"shrunk":    func(p string) error { return os.WriteFile(p, []byte(content[:5]), 0o600) },
		"emptied":   func(p string) error { return os.WriteFile(p, nil, 0o600) },
	}
	for name, change := range cases {
		path := filepath.Join(t.TempDir(), "doc.txt")
		write(t, path, content)
		in, err := Open(path, MaxUploadSize)
		if err != nil {
			t.Fatal(err)
		}
		if err := change(path); err != nil {
			t.Fatal(err)
		}
		r, err := in.Reader()
		if err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(r)
		if !errors.Is(err, ErrChanged) || !strings.Contains(err.Error(), path) {
			t.Errorf("%s: read %d bytes, %v; want ErrChanged naming the path", name, len(got), err)
		}
		if n, again := r.Read(make([]byte, 8)); n != 0 || !errors.Is(again, ErrChanged) {
			t.Errorf("%s: a read after the error: %d, %v", name, n, again)
		}
		if int64(len(got)) > in.Size() {
			t.Errorf("%s: the reader gave %d bytes, more than the %d hashed", name, len(got), in.Size())
		}
		r.Close()
	}
}

// The content is streamed, never held: hashing and reading a 64 MiB file
// allocate a few buffers, not the file.
func TestInputStreamsInBoundedMemory(t *testing.T) {
	if testing.Short() {
		t.Skip("reads 128 MiB")
	}
	const size = 64 << 20
	path := filepath.Join(t.TempDir(), "large.bin")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	// Sparse: no disk is used, but every byte is read.
	if err := f.Truncate(size); err != nil {
		t.Fatal(err)
	}
	f.Close()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	in, err := Open(path, MaxUploadSize*4)
	if err != nil {
		t.Fatal(err)
	}
	r, err := in.Reader()
	if err != nil {
		t.Fatal(err)
	}
	n, err := io.Copy(io.Discard, r)
	r.Close()
	runtime.ReadMemStats(&after)
	if err != nil || n != size || in.Size() != size {
		t.Fatalf("read %d of %d bytes: %v", n, size, err)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 4<<20 {
		t.Fatalf("hashing and reading %d MiB allocated %d KiB; the content must be streamed", size>>20, alloc>>10)
	}
}
