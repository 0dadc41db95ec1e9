//go:build !unix

package batchstate

// nonblock is not needed where named pipes are not files on a path.
const nonblock = 0
