package wrapper

import (
	"math"
	"testing"
	"time"
)

// An upload's attempt gets more time the more it sends; other requests get
// the request timeout.
func TestAttemptTimeoutScalesWithUpload(t *testing.T) {
	c := &Client{requestTimeout: DefaultRequestTimeout}
	if got := c.attemptTimeout(0); got != time.Minute {
		t.Fatalf("plain request: %s", got)
	}
	if got := c.attemptTimeout(100 << 20); got != time.Minute+400*time.Second {
		t.Fatalf("100 MiB upload: %s", got)
	}
}

// time.Duration(math.MaxInt64) is the usual way to say "no limit": an
// upload's extra time must not overflow it into a negative timeout that
// ends every upload attempt as soon as it starts.
func TestAttemptTimeoutSaturates(t *testing.T) {
	c := &Client{requestTimeout: math.MaxInt64}
	for _, upload := range []int64{0, 1 << 20, 100 << 20, math.MaxInt64} {
		if got := c.attemptTimeout(upload); got != math.MaxInt64 {
			t.Fatalf("upload of %d bytes under a MaxInt64 timeout: %s", upload, got)
		}
	}
	c.requestTimeout = time.Minute
	if got := c.attemptTimeout(math.MaxInt64); got <= time.Minute {
		t.Fatalf("the largest upload: %s", got)
	}
}
