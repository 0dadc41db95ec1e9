//go:build !unix

package fileinput

// nonblock is not needed where named pipes are not files on a path.
const nonblock = 0
