//go:build unix

package batchstate

import "golang.org/x/sys/unix"

// nonblock makes opening a named pipe return at once instead of waiting
// for a writer, so that it is refused; it changes nothing for a regular
// file.
const nonblock = unix.O_NONBLOCK
