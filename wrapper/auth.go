package wrapper

import (
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
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

// authTransport adds the API key, but only to requests for the configured
// scheme and host: a redirect elsewhere never carries it.
type authTransport struct {
	base      *url.URL
	key       string
	userAgent string
	headers   http.Header
	next      http.RoundTripper
}

func (t *authTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	// A RoundTripper must not change the caller's request: copy it with a
	// header map of its own (a shallow copy is enough, nothing else is
	// modified, and it is cheaper than Clone on the hot path).
	r := new(http.Request)
	*r = *req
	r.Header = make(http.Header, len(req.Header)+4+len(t.headers))
	for k, v := range req.Header {
		r.Header[k] = v
	}
	if r.URL.Scheme == t.base.Scheme && r.URL.Host == t.base.Host {
		r.Header.Set("Authorization", "Bearer "+t.key)
		for k, v := range t.headers {
			r.Header[k] = v
		}
	} else {
		r.Header.Del("Authorization")
	}
	if n := attemptOf(req.Context()); n > 0 {
		r.Header.Set("X-Retry-Count", strconv.Itoa(n))
	}
	r.Header.Set("User-Agent", t.userAgent)
	if r.Header.Get("Accept") == "" {
		r.Header.Set("Accept", "application/json")
	}
	return t.next.RoundTrip(r)
}
