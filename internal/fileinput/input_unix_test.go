//go:build unix

package fileinput

import (
	"errors"
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// A named pipe would block the batch until some writer opened it: it is
// refused without being opened, and a pipe put in the place of a file
// after Open is refused by the Reader without blocking either.
func TestOpenRefusesPipesAndSocketsWithoutBlocking(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "pipe.pdf")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	if _, err := Open(fifo, MaxUploadSize); !errors.Is(err, ErrNotRegular) || !strings.Contains(err.Error(), "named pipe") {
		t.Fatalf("FIFO: %v, want ErrNotRegular saying it is a named pipe", err)
	}

	sockDir, err := os.MkdirTemp("", "s") // a socket's path has a short limit
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(sockDir)
	sock := filepath.Join(sockDir, "s.pdf")
	l, err := net.Listen("unix", sock)
	if err != nil {
		t.Skipf("unix socket: %v", err)
	}
	defer l.Close()
	if _, err := Open(sock, MaxUploadSize); !errors.Is(err, ErrNotRegular) || !strings.Contains(err.Error(), "a socket") {
		t.Fatalf("socket: %v, want ErrNotRegular saying it is a socket", err)
	}

	path := filepath.Join(dir, "doc.pdf")
	write(t, path, "content")
	in, err := Open(path, MaxUploadSize)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(path, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := in.Reader(); !errors.Is(err, ErrNotRegular) {
		t.Fatalf("a pipe in the file's place: %v, want ErrNotRegular", err)
	}
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("/dev/zero", path); err != nil {
		t.Fatal(err)
	}
	if _, err := in.Reader(); !errors.Is(err, ErrNotRegular) {
		t.Fatalf("a link to /dev/zero in the file's place: %v, want ErrNotRegular", err)
	}
}
