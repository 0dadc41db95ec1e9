// Package retryhint reads what a failed attempt says about sending the
// request again: the wait a server asks for (retry-after-ms, Retry-After),
// and whether a transport error came before the request left (NeverSent)
// or while its answer was read (BrokenBody).
package retryhint

import (
	"errors"
	"io"
	"math"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// After reads retry-after-ms (milliseconds, fractional allowed), then
// Retry-After (seconds, fractional allowed, or an HTTP date relative to
// now). Negative waits become zero; it reports false when neither header
// holds a wait.
func After(h http.Header, now time.Time) (time.Duration, bool) {
	if v := strings.TrimSpace(h.Get("Retry-After-Ms")); v != "" {
		if ms, err := strconv.ParseFloat(v, 64); err == nil && !math.IsNaN(ms) && !math.IsInf(ms, 0) {
			return clampDuration(ms * float64(time.Millisecond)), true
		}
	}
	return ParseRetryAfter(h.Get("Retry-After"), now)
}

// ParseRetryAfter parses a Retry-After value: seconds (fractional allowed)
// or an HTTP date, relative to now. It reports false for anything else.
func ParseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if s, err := strconv.ParseFloat(v, 64); err == nil {
		if math.IsNaN(s) || math.IsInf(s, 0) {
			return 0, false
		}
		return clampDuration(s * float64(time.Second)), true
	}
	if t, err := http.ParseTime(v); err == nil {
		return clampDuration(float64(t.Sub(now))), true
	}
	return 0, false
}

// clampDuration turns ns nanoseconds into a Duration in [0, MaxInt64/2].
func clampDuration(ns float64) time.Duration {
	switch {
	case ns <= 0:
		return 0
	case ns > float64(math.MaxInt64/2):
		return time.Duration(math.MaxInt64 / 2)
	}
	return time.Duration(ns)
}

// NeverSent reports whether err happened before any byte of the request
// could have reached the server: dialing or resolving failed.
func NeverSent(err error) bool {
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "dial" {
		return true
	}
	var dns *net.DNSError
	return errors.As(err, &dns)
}

// BrokenBody reports whether reading an answer failed because the
// connection broke (as opposed to a body that arrived whole but is not
// valid).
func BrokenBody(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return true
	}
	var ne net.Error
	return errors.As(err, &ne)
}
