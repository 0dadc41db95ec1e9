// Package authtransport is the client's http.RoundTripper: it adds the API
// key and the custom headers to requests for the configured scheme and
// host only, so that a redirect elsewhere carries neither, and marks a
// retry with its attempt number.
package authtransport

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// IsLoopback reports whether host (without a port) is this machine.
func IsLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// CustomHeaders returns a copy of h with the headers of env added: lines
// "Name: value", separated by newlines, blank lines skipped. The error for
// a malformed line names the line, not its text: a header line is where
// secrets (the API key for a proxy, a token) are written.
func CustomHeaders(h http.Header, env string) (http.Header, error) {
	out := http.Header{}
	for k, v := range h {
		out[k] = append([]string(nil), v...)
	}
	for i, line := range strings.Split(env, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		name, value, ok := strings.Cut(line, ":")
		if !ok || strings.TrimSpace(name) == "" {
			return nil, fmt.Errorf("line %d is not \"Name: value\"", i+1)
		}
		out.Add(strings.TrimSpace(name), strings.TrimSpace(value))
	}
	return out, nil
}

type attemptKey struct{}

// WithAttempt tells the transport which attempt a request is (0 for the
// first), so that a retry carries X-Retry-Count.
func WithAttempt(ctx context.Context, n int) context.Context {
	if n == 0 {
		return ctx
	}
	return context.WithValue(ctx, attemptKey{}, n)
}

func attemptOf(ctx context.Context) int { n, _ := ctx.Value(attemptKey{}).(int); return n }

// Transport adds the API key and the custom headers, but only to requests
// for the configured scheme and host: a redirect elsewhere carries neither.
type Transport struct {
	base      *url.URL
	key       string
	userAgent string
	headers   http.Header
	next      http.RoundTripper
	// header is what prepare adds to a first attempt for base; see Header.
	header http.Header
}

// New returns a Transport sending through next.
func New(base *url.URL, key, userAgent string, headers http.Header, next http.RoundTripper) *Transport {
	t := &Transport{base: base, key: key, userAgent: userAgent, headers: headers, next: next, header: http.Header{}}
	t.prepare(t.header, true, 0)
	return t
}

// Header is what the transport adds to a first attempt for the base URL.
// A request that already carries all of it passes through without a copy
// (the hot GETs start from a clone of it). The caller must not modify it.
func (t *Transport) Header() http.Header { return t.header }

// prepare adds to h what every request carries: the key and the custom
// headers for base (own) and never elsewhere, the attempt number n of a
// retry, the User-Agent and a default Accept.
func (t *Transport) prepare(h http.Header, own bool, n int) {
	if own {
		h.Set("Authorization", "Bearer "+t.key)
		for k, v := range t.headers {
			h[k] = v
		}
	} else {
		// A redirect elsewhere starts from the first request's header (the
		// hot GETs start from a clone of t.header): nothing of ours may go.
		h.Del("Authorization")
		for k := range t.headers {
			delete(h, k)
		}
	}
	if n > 0 {
		h.Set("X-Retry-Count", strconv.Itoa(n))
	}
	h.Set("User-Agent", t.userAgent)
	if h.Get("Accept") == "" {
		h.Set("Accept", "application/json")
	}
}

// carries reports whether h already holds every value prepare would set
// for a first attempt to base, so that preparing it changes nothing.
func (t *Transport) carries(h http.Header) bool {
	for k, want := range t.header {
		if !slices.Equal(h[k], want) {
			return false
		}
	}
	return true
}

// RoundTrip sends req with the headers it should carry, never modifying
// req itself.
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	own := req.URL.Scheme == t.base.Scheme && req.URL.Host == t.base.Host
	n := attemptOf(req.Context())
	if own && n == 0 && t.carries(req.Header) {
		return t.next.RoundTrip(req)
	}
	// A RoundTripper must not change the caller's request: copy it with a
	// header map of its own (a shallow copy is enough, nothing else is
	// modified, and it is cheaper than Clone).
	r := new(http.Request)
	*r = *req
	r.Header = make(http.Header, len(req.Header)+4+len(t.headers))
	for k, v := range req.Header {
		r.Header[k] = v
	}
	t.prepare(r.Header, own, n)
	return t.next.RoundTrip(r)
}
