//go:build unix

package main

import (
	"io/fs"
	"syscall"
)

// fileKey is what identifies a file on this system (device and inode), and
// whether other names link to it, from its os.Stat.
func fileKey(st fs.FileInfo) (key [2]uint64, linked, ok bool) {
	sys, ok := st.Sys().(*syscall.Stat_t)
	if !ok {
		return key, false, false
	}
	return [2]uint64{uint64(sys.Dev), uint64(sys.Ino)}, sys.Nlink > 1, true
}
