//go:build unix

package main

import (
	"errors"
	"os"

	"golang.org/x/sys/unix"
)

// lockOutDir takes an exclusive flock on the directory dir itself, held
// until the returned file is closed (or the process ends, even by kill -9):
// two batches writing into one --out-dir would remove each other's
// temporary files as stale. It is errOutDirBusy when another process holds
// it.
func lockOutDir(dir string) (*os.File, error) {
	f, err := os.Open(dir)
	if err != nil {
		return nil, err
	}
	if err := unix.Flock(int(f.Fd()), unix.LOCK_EX|unix.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, unix.EWOULDBLOCK) {
			return nil, errOutDirBusy
		}
		return nil, err
	}
	return f, nil
}
