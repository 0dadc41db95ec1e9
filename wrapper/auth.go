package wrapper

import (
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
)

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func customHeaders(h http.Header) (http.Header, error) {
	out := http.Header{}
	for k, v := range h {
		out[k] = append([]string(nil), v...)
	}
	env := os.Getenv(EnvCustomHeaders)
	for i, line := range strings.Split(env, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		name, value, ok := strings.Cut(line, ":")
		if !ok || strings.TrimSpace(name) == "" {
			// The line is not quoted: a header line is where secrets
			// (the API key for a proxy, a token) are written.
			return nil, fmt.Errorf("llamaextract: %s: line %d is not \"Name: value\"", EnvCustomHeaders, i+1)
		}
		out.Add(strings.TrimSpace(name), strings.TrimSpace(value))
	}
	return out, nil
}

// authTransport adds the API key and the custom headers, but only to
// requests for the configured scheme and host: a redirect elsewhere carries
// neither.
type authTransport struct {
	base      *url.URL
	key       string
	userAgent string
	headers   http.Header
	next      http.RoundTripper
	// header is what prepare adds to a first attempt for base: the hot
	// GETs start from a clone of it, and a request that already carries
	// it passes through without the copy below.
	header http.Header
}

func newAuthTransport(base *url.URL, key, userAgent string, headers http.Header, next http.RoundTripper) *authTransport {
	t := &authTransport{base: base, key: key, userAgent: userAgent, headers: headers, next: next, header: http.Header{}}
	t.prepare(t.header, true, 0)
	return t
}

// prepare adds to h what every request carries: the key and the custom
// headers for base (own) and never elsewhere, the attempt number n of a
// retry, the User-Agent and a default Accept.
func (t *authTransport) prepare(h http.Header, own bool, n int) {
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
func (t *authTransport) carries(h http.Header) bool {
	for k, want := range t.header {
		if !slices.Equal(h[k], want) {
			return false
		}
	}
	return true
}

func (t *authTransport) RoundTrip(req *http.Request) (*http.Response, error) {
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
