package wrapper

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// RetryPolicy says which failed requests are retried and how long to wait.
// The zero value retries nothing; DefaultRetryPolicy matches the official
// SDKs.
type RetryPolicy struct {
	// MaxRetries is how many times a request is retried after its first try.
	MaxRetries int
	// BaseDelay is the first backoff; each retry doubles it (0.5 s).
	BaseDelay time.Duration
	// MaxDelay caps the computed backoff (8 s).
	MaxDelay time.Duration
	// MaxRetryAfter caps a wait the server asks for with Retry-After or
	// retry-after-ms (60 s); a longer request waits this long.
	MaxRetryAfter time.Duration
	// Jitter shortens each backoff by up to this fraction at random (0.25).
	Jitter float64
}

// DefaultRetryPolicy returns 2 retries, 0.5 s doubling up to 8 s with up to
// 25 % jitter, and server-requested waits honoured up to 60 s.
func DefaultRetryPolicy() RetryPolicy {
	return RetryPolicy{MaxRetries: 2, BaseDelay: 500 * time.Millisecond, MaxDelay: 8 * time.Second, MaxRetryAfter: time.Minute, Jitter: 0.25}
}

func (p RetryPolicy) validate() error {
	if p.MaxRetries < 0 || p.BaseDelay < 0 || p.MaxDelay < 0 || p.MaxRetryAfter < 0 || p.Jitter < 0 || p.Jitter > 1 {
		return fmt.Errorf("llamaextract: RetryPolicy %+v: counts and delays must not be negative and Jitter must be in [0, 1]", p)
	}
	return nil
}

// backoff is the wait before retry n (0 for the first retry).
func (p RetryPolicy) backoff(n int) time.Duration {
	d := float64(p.BaseDelay) * math.Pow(2, float64(n))
	if p.MaxDelay > 0 && d > float64(p.MaxDelay) {
		d = float64(p.MaxDelay)
	}
	d *= 1 - rand.Float64()*p.Jitter
	return time.Duration(d)
}

type ctxKey int

const (
	createKey ctxKey = iota
	own429Key
)

// withCreate marks a request that creates a job. Such a request is retried
// only when it provably did not reach the service (a dial error, or a 429
// or 503 answer), so a retry can never make a second job.
func withCreate(ctx context.Context) context.Context { return context.WithValue(ctx, createKey, true) }

func isCreate(ctx context.Context) bool { v, _ := ctx.Value(createKey).(bool); return v }

// withOwn429 marks a request whose caller handles 429 itself: a batch waits
// as long as the server asks, for as long as its context allows, and slows
// its creates down. The transport hands such a 429 back at once instead of
// spending the request's ordinary retries on it.
func withOwn429(ctx context.Context) context.Context { return context.WithValue(ctx, own429Key, true) }

func owns429(ctx context.Context) bool { v, _ := ctx.Value(own429Key).(bool); return v }

type retryTransport struct {
	next   http.RoundTripper
	policy RetryPolicy
	logger *slog.Logger
	clock  Clock
}

func (t *retryTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	for attempt := 0; ; attempt++ {
		r := req
		if attempt > 0 {
			r = req.Clone(ctx)
			if req.Body != nil && req.Body != http.NoBody {
				body, err := req.GetBody()
				if err != nil {
					return nil, err
				}
				r.Body = body
			}
			r.Header.Set("X-Retry-Count", strconv.Itoa(attempt))
		}
		resp, err := t.next.RoundTrip(r)
		wait, retry := t.shouldRetry(req, resp, err, attempt)
		if !retry {
			return resp, err
		}
		status := 0
		if resp != nil {
			status = resp.StatusCode
			_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxErrorBody))
			resp.Body.Close()
		}
		t.logger.LogAttrs(ctx, slog.LevelDebug, "llamaextract retry",
			slog.String("method", req.Method), slog.String("url", req.URL.Redacted()),
			slog.Int("status", status), slog.Any("error", err), slog.Int("attempt", attempt+1), slog.Duration("wait", wait))
		if err := sleep(ctx, t.clock, wait); err != nil {
			return nil, err
		}
	}
}

func (t *retryTransport) shouldRetry(req *http.Request, resp *http.Response, err error, attempt int) (time.Duration, bool) {
	if attempt >= t.policy.MaxRetries || req.Context().Err() != nil {
		return 0, false
	}
	if req.Body != nil && req.Body != http.NoBody && req.GetBody == nil {
		return 0, false // the body cannot be sent again
	}
	create := isCreate(req.Context())
	if err != nil {
		if create && !neverSent(err) {
			return 0, false
		}
		return t.policy.backoff(attempt), true
	}
	if resp.StatusCode == http.StatusTooManyRequests && owns429(req.Context()) {
		return 0, false
	}
	switch resp.Header.Get("X-Should-Retry") {
	case "true":
		return t.wait(resp, attempt), true
	case "false":
		return 0, false
	}
	code := resp.StatusCode
	if create {
		if code == http.StatusTooManyRequests || code == http.StatusServiceUnavailable {
			return t.wait(resp, attempt), true
		}
		return 0, false
	}
	if code == http.StatusRequestTimeout || code == http.StatusConflict || code == http.StatusTooManyRequests || code >= 500 {
		return t.wait(resp, attempt), true
	}
	return 0, false
}

func (t *retryTransport) wait(resp *http.Response, attempt int) time.Duration {
	if d, ok := retryAfter(resp.Header, t.clock.Now()); ok {
		return min(d, t.policy.MaxRetryAfter)
	}
	return t.policy.backoff(attempt)
}

// neverSent reports whether err happened before any byte of the request
// could have reached the server: dialing or resolving failed.
func neverSent(err error) bool {
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "dial" {
		return true
	}
	var dns *net.DNSError
	return errors.As(err, &dns)
}

// retryAfter reads retry-after-ms (milliseconds, fractional allowed), then
// Retry-After (seconds, fractional allowed, or an HTTP date). Negative waits
// become zero.
func retryAfter(h http.Header, now time.Time) (time.Duration, bool) {
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

func clampDuration(ns float64) time.Duration {
	switch {
	case ns <= 0:
		return 0
	case ns > float64(math.MaxInt64/2):
		return time.Duration(math.MaxInt64 / 2)
	}
	return time.Duration(ns)
}
