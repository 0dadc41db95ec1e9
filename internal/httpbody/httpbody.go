// Package httpbody reads HTTP response bodies with memory that follows the
// bytes received, never the bytes a server claims.
package httpbody

import (
	"errors"
	"io"
	"mime"
	"strings"
)

// Reading a body: memory follows the bytes received, never the bytes
// claimed. A Content-Length up to TrustedLength is allocated at once (one
// sized buffer, the common case). A larger claimed length starts at
// firstChunk and doubles as bytes arrive, along a sequence that ends
// exactly at the claimed length with one step from an eighth to the whole:
// once an eighth of the claim has arrived the claim is believed, so an
// honest body costs about 1.25 times its size in all, while a server that
// does not send what it claims gets at most about twice what it sent, or 8
// times once it has sent an eighth. An unknown length doubles towards the
// cap plus one byte with the last step from a quarter to the whole, which
// keeps the peak near 1.5 times the cap against an endless body.
const (
	// TrustedLength is the largest Content-Length allocated at once.
	TrustedLength = 4 << 20
	firstChunk    = 64 << 10
	// claimJump is the step (as a shift of the target) from which a
	// claimed length is allocated whole; lengthJump that of the cap.
	claimJump  = 3
	lengthJump = 2
)

// ErrTooLarge is the error of a body larger than its limit.
var ErrTooLarge = errors.New("response body too large")

// Read reads r whole. claimed is the Content-Length (-1 if unknown);
// more than limit bytes is ErrTooLarge; a body shorter than claimed is
// io.ErrUnexpectedEOF. A body of known length that fits in reuse's
// capacity is read into reuse.
func Read(r io.Reader, claimed, limit int64, reuse []byte) ([]byte, error) {
	if claimed > limit {
		return nil, ErrTooLarge
	}
	target := limit + 1
	if claimed >= 0 {
		target = claimed
	}
	// sizes are target/2^k, k shrinking by one per growth.
	k := 0
	if !(claimed >= 0 && claimed <= TrustedLength) {
		for target>>k > firstChunk {
			k++
		}
	}
	size := func(k int) int64 { return (target + 1<<k - 1) >> k }
	jump := lengthJump
	if claimed >= 0 {
		jump = claimJump
	}
	var buf []byte
	if claimed >= 0 && claimed <= int64(cap(reuse)) {
		buf = reuse[:0]
	} else {
		buf = make([]byte, 0, size(k))
	}
	for {
		if int64(len(buf)) == target {
			if claimed >= 0 {
				return buf, nil // the transport ends the body at Content-Length
			}
			return nil, ErrTooLarge
		}
		if len(buf) == cap(buf) {
			// Double, except the last step, which goes from an eighth
			// (a claim) or a quarter (the cap) of the target to all of
			// it: the old buffer and the garbage of earlier steps then
			// stay near that fraction each.
			if k--; k < jump {
				k = 0
			}
			nb := make([]byte, len(buf), size(k))
			copy(nb, buf)
			buf = nb
		}
		// Never past the claimed length: a lent buffer may be larger
		// than the body claims, and a transport (a user's middleware)
		// may hand over more than its Content-Length. A fresh buffer
		// stops there by its size; a lent one must too, or it reads
		// bytes beyond the claim and, growing, panics.
		end := cap(buf)
		if int64(end) > target {
			end = int(target)
		}
		n, err := r.Read(buf[len(buf):end])
		buf = buf[:len(buf)+n]
		if err == io.EOF {
			if claimed >= 0 && int64(len(buf)) < claimed {
				return nil, io.ErrUnexpectedEOF
			}
			if int64(len(buf)) > limit {
				return nil, ErrTooLarge
			}
			return buf, nil
		}
		if err != nil {
			return nil, err
		}
	}
}

// IsJSON reports whether a Content-Type is JSON (application/json or a
// +json type).
func IsJSON(ct string) bool {
	if ct == "application/json" {
		return true // what the API sends, without ParseMediaType's allocation
	}
	mt, _, err := mime.ParseMediaType(ct)
	return err == nil && (mt == "application/json" || strings.HasSuffix(mt, "+json"))
}

// LimitedReader reads at most N bytes of R, then fails with ErrTooLarge,
// and calls Progress.Reset (when set) after every read that brought bytes.
type LimitedReader struct {
	R        io.Reader
	N        int64
	Progress interface{ Reset() }
	// Exceeded is set once the limit was hit; Err is the last read error
	// other than io.EOF.
	Exceeded bool
	Err      error
}

func (l *LimitedReader) Read(p []byte) (int, error) {
	if l.N <= 0 {
		l.Exceeded, l.Err = true, ErrTooLarge
		return 0, ErrTooLarge
	}
	if int64(len(p)) > l.N {
		p = p[:l.N]
	}
	n, err := l.R.Read(p)
	l.N -= int64(n)
	if err != nil && err != io.EOF {
		l.Err = err
	}
	if n > 0 && l.Progress != nil {
		l.Progress.Reset()
	}
	return n, err
}
