//go:build unix

package batchstate

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"strconv"

	"golang.org/x/sys/unix"
)

// lock takes the state file's lock: an exclusive flock on path+".lock",
// which holds the PID of its owner so that a second batch can name it.
// flock, not a bare O_EXCL file: the kernel drops it when the process dies,
// so a kill -9 never leaves a stale lock behind.
func lock(path string) (*os.File, error) {
	lp := path + ".lock"
	f, err := os.OpenFile(lp, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("state file lock %s: %w", lp, err)
	}
	if err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB); err != nil {
		defer f.Close()
		if errors.Is(err, unix.EWOULDBLOCK) {
			b := make([]byte, 32)
			n, _ := f.ReadAt(b, 0)
			owner := "another process"
			if pid, perr := strconv.Atoi(string(bytes.TrimSpace(b[:n]))); perr == nil && pid > 0 {
				owner = fmt.Sprintf("process %d", pid)
			}
			return nil, fmt.Errorf("state file %s is in use by %s (lock %s): %w; wait for that batch to end or stop it, or use another state file", path, owner, lp, ErrLocked)
		}
		return nil, fmt.Errorf("state file lock %s: %w", lp, err)
	}
	if err := f.Truncate(0); err == nil {
		_, _ = f.WriteAt([]byte(strconv.Itoa(os.Getpid())+"\n"), 0)
	}
	return f, nil
}
