package wrapper

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"net/http"
	"time"

	"github.com/extract-go/llamaextract/internal/retryhint"
)

// RetryPolicy says which failed requests are retried and how long to wait.
// The zero value retries nothing; DefaultRetryPolicy matches the official
// SDKs. A zero duration means its default (below), and no wait is shorter
// than MinRetryWait, whatever the policy or the server says: a wait that
// could be zero would let a client or a batch hammer a server that is
// refusing it. Below the policy, Go's http.Transport itself sends a GET again, once,
// when a kept-alive connection closes before any answer; it never does so
// for a POST, so a create is never repeated behind the policy's back.
type RetryPolicy struct {
	// MaxRetries is how many times a request is retried after its first try.
	MaxRetries int
	// BaseDelay is the first backoff; each retry doubles it (0.5 s).
	BaseDelay time.Duration
	// MaxDelay caps the computed backoff (8 s).
	MaxDelay time.Duration
	// MaxRetryAfter caps a wait the server asks for with Retry-After or
	// retry-after-ms (60 s); a longer request waits this long. A server
	// asking for no wait at all gets the computed backoff.
	MaxRetryAfter time.Duration
	// Jitter shortens each backoff by up to this fraction at random (0.25).
	Jitter float64
}

// DefaultRetryPolicy returns 2 retries, 0.5 s doubling up to 8 s with up to
// 25 % jitter, and server-requested waits honoured up to 60 s.
func DefaultRetryPolicy() RetryPolicy {
	return RetryPolicy{MaxRetries: 2, BaseDelay: 500 * time.Millisecond, MaxDelay: 8 * time.Second, MaxRetryAfter: time.Minute, Jitter: 0.25}
}

// MinRetryWait is the shortest wait before a request is sent again.
const MinRetryWait = 50 * time.Millisecond

// withDefaults replaces zero durations by DefaultRetryPolicy's.
func (p RetryPolicy) withDefaults() RetryPolicy {
	d := DefaultRetryPolicy()
	if p.BaseDelay == 0 {
		p.BaseDelay = d.BaseDelay
	}
	if p.MaxDelay == 0 {
		p.MaxDelay = d.MaxDelay
	}
	if p.MaxRetryAfter == 0 {
		p.MaxRetryAfter = d.MaxRetryAfter
	}
	return p
}

func (p RetryPolicy) validate() error {
	if p.MaxRetries < 0 || p.BaseDelay < 0 || p.MaxDelay < 0 || p.MaxRetryAfter < 0 || p.Jitter < 0 || p.Jitter > 1 {
		return fmt.Errorf("llamaextract: RetryPolicy %+v: counts and delays must not be negative and Jitter must be in [0, 1]", p)
	}
	return nil
}

// backoff is the wait before retry n (0 for the first retry), at least
// MinRetryWait.
func (p RetryPolicy) backoff(n int) time.Duration {
	p = p.withDefaults()
	d := min(float64(p.BaseDelay)*math.Pow(2, float64(n)), float64(p.MaxDelay))
	d *= 1 - rand.Float64()*p.Jitter
	return max(time.Duration(d), MinRetryWait)
}

// verdict is what a failed attempt means for the next one.
type verdict int

const (
	// verdictStop: hand the error to the caller.
	verdictStop verdict = iota
	// verdictRetry: sending the request again is safe.
	verdictRetry
	// verdictLookFirst: a job-creating request may have made a job; look
	// for it before sending again (see CreateJob).
	verdictLookFirst
)

// classify is the one place that decides whether a failed attempt is
// retried. It is used by every request (call), by job creation and by Wait.
// create marks a request that makes a job: it is sent again only when it
// provably made none (it never left, or the server said 429, 503 or
// x-should-retry: true); a failure after the request may have been
// processed is verdictLookFirst.
func classify(create bool, err error) verdict {
	var (
		api  *APIError
		conn *ConnectionError
		inv  *InvalidResponseError
	)
	switch {
	case errors.As(err, &api):
		switch api.Header.Get("X-Should-Retry") {
		case "true":
			return verdictRetry
		case "false":
			return verdictStop
		}
		switch code := api.StatusCode; {
		case code == http.StatusTooManyRequests || code == http.StatusServiceUnavailable:
			return verdictRetry
		case code == http.StatusRequestTimeout || code == http.StatusConflict || code >= 500:
			if create {
				return verdictLookFirst
			}
			return verdictRetry
		}
		return verdictStop
	case errors.As(err, &conn):
		if retryhint.NeverSent(conn.Err) {
			return verdictRetry
		}
		if create {
			return verdictLookFirst
		}
		return verdictRetry
	case errors.As(err, &inv):
		if create {
			// The server answered 2xx: the job exists, its answer is lost.
			return verdictLookFirst
		}
		// A body that broke off is retried like a dropped connection,
		// which every request but a create already is: the other POSTs
		// are safe to repeat (a configuration is an upsert, a schema
		// check is pure) or cost only an unused file (an upload).
		if retryhint.BrokenBody(inv.Err) {
			return verdictRetry
		}
	}
	return verdictStop
}

// retryable reports whether a failed GET may succeed if sent again (Wait
// keeps polling through such failures).
func retryable(err error) bool { return classify(false, err) == verdictRetry }

// retryWait is how long to wait before retry n (0 for the first) after
// err: what the server asked for (capped by MaxRetryAfter), else backoff;
// never less than MinRetryWait.
func (p RetryPolicy) retryWait(err error, n int, now time.Time) time.Duration {
	var api *APIError
	if errors.As(err, &api) {
		if d, ok := retryhint.After(api.Header, now); ok && d > 0 {
			return max(min(d, p.withDefaults().MaxRetryAfter), MinRetryWait)
		}
	}
	return p.backoff(n)
}

type pacerKey struct{}

// RateLimitPacer decides when a request the service refused with 429 is
// sent again: it returns once the request may go (having waited as long as
// it judges right; retryAfter is what the server asked for, 0 when it did
// not say), or with an error to give up.
type RateLimitPacer func(ctx context.Context, retryAfter time.Duration) error

// WithRateLimitPacer returns a copy of ctx under which a request that gets
// a 429 is paced by pace instead of the RetryPolicy: the client calls pace
// and, when it returns nil, sends the request again without spending a
// retry, for as long as pace allows. A 429 proves the request was refused,
// so sending it again is safe even for CreateJob. When pace returns an
// error the request fails with the 429's *APIError. At least MinRetryWait
// passes before the request is sent again, whatever pace does. Package
// batch paces its requests with its adaptive create rate this way.
func WithRateLimitPacer(ctx context.Context, pace RateLimitPacer) context.Context {
	return context.WithValue(ctx, pacerKey{}, pace)
}

func pacerOf(ctx context.Context) RateLimitPacer {
	p, _ := ctx.Value(pacerKey{}).(RateLimitPacer)
	return p
}
