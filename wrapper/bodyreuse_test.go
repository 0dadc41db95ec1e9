package wrapper_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/extract-go/llamaextract/wrapper"
)

// shortClaim is a transport (a user's WithHTTPClient: a replaying or
// decompressing middleware) that, once lie is set, reports a
// Content-Length shorter than the body it hands over; with split set, the
// body's last bytes and its end come in separate reads.
type shortClaim struct {
	next       http.RoundTripper
	lie, split atomic.Bool
}

func (s *shortClaim) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := s.next.RoundTrip(r)
	if err == nil && s.lie.Load() {
		resp.ContentLength = 10
		if s.split.Load() {
			resp.Body = lateEOF{resp.Body}
		}
	}
	return resp, err
}

// lateEOF reports the end of its body only on the read after the last
// bytes, as io.Reader allows.
type lateEOF struct{ io.ReadCloser }

func (l lateEOF) Read(p []byte) (int, error) {
	n, err := l.ReadCloser.Read(p)
	if n > 0 && err == io.EOF {
		err = nil
	}
	return n, err
}

// A body is read into the buffer the previous answer lent only up to the
// Content-Length the response claims, as into a fresh one: a transport
// whose body runs past its claim gets a clear *InvalidResponseError, never
// a panic, and never the bytes beyond the claim.
func TestLentBufferHoldsOnlyTheClaimedLength(t *testing.T) {
	list := pagesOf(3, 3)
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/api/v2/extract" {
			list(w, r)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, jobFor(1))
	}))
	t.Cleanup(hs.Close)
	tr := &http.Transport{}
	t.Cleanup(tr.CloseIdleConnections)
	sc := &shortClaim{next: tr}
	c, err := wrapper.New(wrapper.WithBaseURL(hs.URL), wrapper.WithAPIKey(secretKey),
		wrapper.WithHTTPClient(&http.Client{Transport: sc}), wrapper.WithRetryPolicy(wrapper.RetryPolicy{}))
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	first, err := c.GetJob(ctx, "ext-1")
	if err != nil {
		t.Fatal(err)
	}
	page, err := c.ListJobs(ctx, wrapper.JobFilter{PageSize: 3})
	if err != nil || len(page.Items) != 3 {
		t.Fatalf("list: %v", err)
	}
	sc.lie.Store(true)
	// Several times: the buffer is lent through a sync.Pool, which may
	// hand out a new value now and then.
	for i := range 20 {
		split := i%2 == 0
		sc.split.Store(split)
		var ire *wrapper.InvalidResponseError
		if _, err := c.GetJob(ctx, "ext-1"); !errors.As(err, &ire) {
			t.Fatalf("split %v: GetJob with a body past its Content-Length: %v", split, err)
		}
		if _, err := c.ListJobs(ctx, wrapper.JobFilter{PageSize: 3}); !errors.As(err, &ire) {
			t.Fatalf("split %v: ListJobs with a body past its Content-Length: %v", split, err)
		}
	}
	if err := checkJob(first, 1); err != nil {
		t.Fatal(err)
	}
	for n, j := range page.Items {
		if err := checkJob(j, n); err != nil {
			t.Fatal(err)
		}
	}
}
