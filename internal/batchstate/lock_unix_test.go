//go:build unix

package batchstate

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"
)

// The refusal names the holder's PID only when the lock file holds one; a
// lock file with anything else says "another process".
func TestJournalLockedNamesOnlyARealPID(t *testing.T) {
	for content, want := range map[string]string{"4242\n": "process 4242", "0\n": "another process", "-3\n": "another process", "x\n": "another process", "": "another process"} {
		path := filepath.Join(t.TempDir(), "s")
		must(t, os.WriteFile(path+".lock", []byte(content), 0o600))
		f, err := os.Open(path + ".lock")
		must(t, err)
		must(t, unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB))
		_, err = Open(path, "cfg")
		f.Close()
		if !errors.Is(err, ErrLocked) || !strings.Contains(err.Error(), "in use by "+want+" ") {
			t.Errorf("lock file %q: %v, want ErrLocked naming %s", content, err, want)
		}
	}
}

// A named pipe as the state file is refused without waiting for a writer.
func TestJournalRefusesAPipeWithoutBlocking(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s")
	if err := syscall.Mkfifo(path, 0o600); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	if _, err := Open(path, "cfg"); err == nil || !strings.Contains(err.Error(), "not a regular file") {
		t.Fatalf("a FIFO as the state file: %v", err)
	}
}
