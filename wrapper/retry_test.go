package wrapper_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/extract-go/llamaextract/extracttest"
	"github.com/extract-go/llamaextract/wrapper"
)

func TestRetriesHonourRetryAfter(t *testing.T) {
	c, srv := newClient(t)
	ctx := context.Background()
	srv.InjectFault(extracttest.Fault{Operation: "ListExtractJobs", Kind: extracttest.FaultStatus, Status: 429, RetryAfterMs: "5", Times: 1})
	srv.InjectFault(extracttest.Fault{Operation: "ListExtractJobs", Kind: extracttest.FaultStatus, Status: 503, RetryAfter: "0", Times: 1})
	if _, err := c.ListJobs(ctx, wrapper.JobFilter{}); err != nil {
		t.Fatalf("two retryable failures then success: %v", err)
	}
	if n := srv.Stats().Requests["ListExtractJobs"]; n != 3 {
		t.Fatalf("%d requests, want 3", n)
	}
	srv.InjectFault(extracttest.Fault{Operation: "GetExtractJob", Kind: extracttest.FaultStatus, Status: 503, Times: 5})
	_, err := c.GetJob(ctx, "ext-x")
	if !errors.Is(err, wrapper.ErrServer) {
		t.Fatalf("retries exhausted: %v", err)
	}
	if n := srv.Stats().Requests["GetExtractJob"]; n != 3 {
		t.Fatalf("%d tries, want 1 + 2 retries", n)
	}
}

// The wait a server asks for is honoured, up to the policy's ceiling.
func TestRetryAfterWaitIsHonoured(t *testing.T) {
	var calls atomic.Int32
	var gaps []time.Duration
	last := time.Now()
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		now := time.Now()
		gaps = append(gaps, now.Sub(last))
		last = now
		if calls.Add(1) == 1 {
			w.Header().Set("Retry-After", "0.2")
			w.WriteHeader(429)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write([]byte(`{"items":[]}`))
	}))
	defer hs.Close()
	c, _ := wrapper.New(wrapper.WithBaseURL(hs.URL), wrapper.WithAPIKey("k"),
		wrapper.WithRetryPolicy(wrapper.RetryPolicy{MaxRetries: 1, BaseDelay: time.Millisecond, MaxRetryAfter: time.Second}))
	if _, err := c.ListJobs(context.Background(), wrapper.JobFilter{}); err != nil {
		t.Fatal(err)
	}
	if calls.Load() != 2 || gaps[1] < 200*time.Millisecond {
		t.Fatalf("calls %d, gap %v: Retry-After 0.2 s not honoured", calls.Load(), gaps[1])
	}
}

// A create whose answer is lost after the server made the job must not make
// a second job: the client finds the one it made and returns it.
func TestAmbiguousCreateDoesNotDuplicate(t *testing.T) {
	for _, kind := range []extracttest.FaultKind{extracttest.FaultDropAfter, extracttest.FaultTruncate, extracttest.FaultDrop} {
		t.Run(kind.String(), func(t *testing.T) {
			c, srv := newClient(t)
			file := srv.AddFile("a.txt", []byte(invoiceDoc))
			srv.InjectFault(extracttest.Fault{Operation: "CreateExtractJob", Kind: kind, Times: 1})
			job, err := c.CreateJob(context.Background(), wrapper.CreateJobRequest{FileInput: file, Config: wrapper.ExtractConfig{Schema: wrapper.MustSchemaFor[Invoice]()}, OwnsFile: true})
			if err != nil {
				t.Fatalf("create: %v", err)
			}
			if n := srv.JobsCreatedFor(file); n != 1 {
				t.Fatalf("%d jobs created for one request", n)
			}
			if got, err := c.GetJob(context.Background(), job.ID); err != nil || got.ID != job.ID {
				t.Fatalf("returned job does not exist: %v", err)
			}
		})
	}
}

// A create the server refused with 503 or 429 is retried; one it answered
// with a definitive 4xx is not.
func TestCreateRetriesOnlyWhenSafe(t *testing.T) {
	c, srv := newClient(t)
	file := srv.AddFile("a.txt", nil)
	req := wrapper.CreateJobRequest{FileInput: file, Config: wrapper.ExtractConfig{Schema: wrapper.MustSchemaFor[Line]()}}
	srv.InjectFault(extracttest.Fault{Operation: "CreateExtractJob", Kind: extracttest.FaultStatus, Status: 429, RetryAfterMs: "1", Times: 1})
	srv.InjectFault(extracttest.Fault{Operation: "CreateExtractJob", Kind: extracttest.FaultStatus, Status: 503, Times: 1})
	if _, err := c.CreateJob(context.Background(), req); err != nil {
		t.Fatalf("create after 429 and 503: %v", err)
	}
	if n := srv.JobsCreatedFor(file); n != 1 {
		t.Fatalf("%d jobs", n)
	}
	srv.InjectFault(extracttest.Fault{Operation: "CreateExtractJob", Kind: extracttest.FaultStatus, Status: 402, Times: 1})
	before := srv.Stats().Requests["CreateExtractJob"]
	if _, err := c.CreateJob(context.Background(), req); !errors.Is(err, wrapper.ErrPaymentRequired) {
		t.Fatalf("402: %v", err)
	}
	if n := srv.Stats().Requests["CreateExtractJob"] - before; n != 1 {
		t.Fatalf("402 was retried: %d tries", n)
	}
}

// x-should-retry overrides the status code both ways.
func TestXShouldRetry(t *testing.T) {
	for _, tc := range []struct {
		status     int
		header     string
		wantCalls  int32
		wantStatus error
	}{
		{500, "false", 1, wrapper.ErrServer},
		{400, "true", 3, wrapper.ErrBadRequest},
		{500, "", 3, wrapper.ErrServer},
	} {
		var calls atomic.Int32
		hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			calls.Add(1)
			if tc.header != "" {
				w.Header().Set("X-Should-Retry", tc.header)
			}
			w.WriteHeader(tc.status)
		}))
		c, _ := wrapper.New(wrapper.WithBaseURL(hs.URL), wrapper.WithAPIKey("k"), fastRetry)
		_, err := c.GetJob(context.Background(), "ext-1")
		hs.Close()
		if !errors.Is(err, tc.wantStatus) || calls.Load() != tc.wantCalls {
			t.Errorf("%d with x-should-retry %q: %d calls, %v; want %d calls", tc.status, tc.header, calls.Load(), err, tc.wantCalls)
		}
	}
}

// TestUploadWhoseAnswerBrokeOffIsRetried: a 2xx upload answer cut midway is
// retried like a dropped connection. Sending the file again costs at most an
// unused file; failing the call failed a batch document (28 of 1,000 in
// make stress) over a fault the retry policy exists for.
func TestUploadWhoseAnswerBrokeOffIsRetried(t *testing.T) {
	c, srv := newClient(t)
	srv.InjectFault(extracttest.Fault{Operation: extracttest.OpUploadFile, Kind: extracttest.FaultTruncate, Times: 1})
	f, err := c.Upload(context.Background(), "a.txt", strings.NewReader("Total: 1\n"))
	if err != nil {
		t.Fatalf("upload with one truncated answer: %v", err)
	}
	if f.ID == "" {
		t.Fatal("no file ID")
	}
	if n := srv.Stats().Requests[extracttest.OpUploadFile]; n != 2 {
		t.Fatalf("%d upload requests, want 2 (one cut, one retried)", n)
	}
}

// Every wait before a retry has a floor (issue 20.8): a 429 without
// Retry-After, with Retry-After: 0 or retry-after-ms: 0, under a policy
// whose delays are zero or fully jittered away, is never sent again at
// once. Requests are counted per second of the client's fake clock.
func TestEveryRetryWaitHasAFloor(t *testing.T) {
	for name, policy := range map[string]wrapper.RetryPolicy{
		"zero delays":    {MaxRetries: 30},
		"full jitter":    {MaxRetries: 30, BaseDelay: time.Nanosecond, Jitter: 1},
		"tiny max delay": {MaxRetries: 30, BaseDelay: time.Nanosecond, MaxDelay: time.Nanosecond},
	} {
		for _, header := range []string{"", "Retry-After: 0", "Retry-After-Ms: 0", "Retry-After: -5"} {
			t.Run(name+"/"+header, func(t *testing.T) {
				clock := extracttest.NewFakeClock(time.Unix(1_800_000_000, 0))
				clock.SetAutoAdvance(true)
				var mu sync.Mutex
				perSecond := map[int64]int{}
				srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					mu.Lock()
					perSecond[clock.Now().Unix()]++
					mu.Unlock()
					if k, v, ok := strings.Cut(header, ": "); ok {
						w.Header().Set(k, v)
					}
					w.WriteHeader(http.StatusTooManyRequests)
				}))
				defer srv.Close()
				c, err := wrapper.New(wrapper.WithBaseURL(srv.URL), wrapper.WithAPIKey("test"), wrapper.WithClock(clock), wrapper.WithRetryPolicy(policy))
				if err != nil {
					t.Fatal(err)
				}
				if _, err := c.GetJob(context.Background(), "ext-1"); !errors.Is(err, wrapper.ErrRateLimited) {
					t.Fatalf("GetJob: %v", err)
				}
				mu.Lock()
				defer mu.Unlock()
				total, most := 0, 0
				for _, n := range perSecond {
					total += n
					most = max(most, n)
				}
				if limit := int(time.Second/wrapper.MinRetryWait) + 1; total != 31 || most > limit {
					t.Fatalf("%d requests, at most %d in one second of the client's clock (want 31, at most %d)", total, most, limit)
				}
			})
		}
	}
}

// A request under a RateLimitPacer answers every 429 through the pacer, not
// the RetryPolicy: with retries off, a create refused three times is sent a
// fourth time and makes one job; a pacer that gives up fails the request
// with the 429.
func TestRateLimitPacer(t *testing.T) {
	srv := extracttest.NewTestServer(t)
	c, err := wrapper.New(wrapper.WithBaseURL(srv.URL), wrapper.WithAPIKey("k"), wrapper.WithHTTPClient(srv.Client()), wrapper.WithRetryPolicy(wrapper.RetryPolicy{}))
	if err != nil {
		t.Fatal(err)
	}
	f := srv.AddFile("a.txt", []byte("Vendor: Acme\n"))
	req := wrapper.CreateJobRequest{FileInput: f, Config: wrapper.ExtractConfig{Schema: wrapper.MustSchemaFor[Invoice]()}}
	srv.InjectFault(extracttest.Fault{Operation: extracttest.OpCreateExtractJob, Kind: extracttest.FaultStatus, Status: 429, RetryAfterMs: "7", Times: 3})
	var asked []time.Duration
	ctx := wrapper.WithRateLimitPacer(context.Background(), func(ctx context.Context, d time.Duration) error {
		asked = append(asked, d)
		return nil
	})
	if _, err := c.CreateJob(ctx, req); err != nil || len(asked) != 3 || asked[0] != 7*time.Millisecond || srv.JobsCreatedFor(f) != 1 {
		t.Fatalf("err %v, pacer asked %v, %d jobs", err, asked, srv.JobsCreatedFor(f))
	}
	srv.InjectFault(extracttest.Fault{Operation: extracttest.OpCreateExtractJob, Kind: extracttest.FaultStatus, Status: 429, Times: 1})
	giveUp := wrapper.WithRateLimitPacer(context.Background(), func(context.Context, time.Duration) error { return context.Canceled })
	if _, err := c.CreateJob(giveUp, req); !errors.Is(err, wrapper.ErrRateLimited) || srv.JobsCreatedFor(f) != 1 {
		t.Fatalf("a pacer that gives up: %v", err)
	}
}
