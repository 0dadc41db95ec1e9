package wrapper_test

import (
	"context"
	"errors"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"testing"
	"time"

	"github.com/extract-go/llamaextract/extracttest"
	"github.com/extract-go/llamaextract/wrapper"
)

// A server whose Date header is absent or garbage gives recovery no
// clock: on a shared file a lost create is then never repeated and never
// adopted, and on an owned file the one job is adopted. The emulator runs
// an hour ahead or behind.
func TestRecoveryWithoutAUsableDate(t *testing.T) {
	ctx := context.Background()
	for _, date := range []string{"", "not a date", "Mon, 99 Foo 2026 25:61:61 GMT"} {
		for _, skew := range []time.Duration{-time.Hour, time.Hour} {
			srv, clk := skewedServer(t, skew)
			target, _ := url.Parse(srv.URL)
			rp := httputil.NewSingleHostReverseProxy(target)
			rp.Transport = srv.Client().Transport
			rp.ErrorLog = log.New(io.Discard, "", 0) // a dropped answer becomes the proxy's 502
			rp.ModifyResponse = func(r *http.Response) error {
				r.Header.Del("Date")
				if date != "" {
					r.Header.Set("Date", date)
				}
				return nil
			}
			front := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header()["Date"] = nil // net/http adds none
				rp.ServeHTTP(w, r)
			}))
			t.Cleanup(front.Close)
			c, err := wrapper.New(wrapper.WithBaseURL(front.URL), wrapper.WithAPIKey("test-key"), fastRetry)
			if err != nil {
				t.Fatal(err)
			}
			shared := srv.AddFile("a.txt", nil)
			if _, err := clientFor(t, srv).CreateJob(ctx, lineReq(shared, false)); err != nil {
				t.Fatal(err)
			}
			clk.Advance(time.Minute)
			srv.InjectFault(extracttest.Fault{Operation: "CreateExtractJob", Kind: extracttest.FaultDropAfter, Times: 1})
			_, err = c.CreateJob(ctx, lineReq(shared, false))
			var amb *wrapper.AmbiguousCreateError
			if !errors.As(err, &amb) || len(amb.Candidates) != 2 {
				t.Fatalf("Date %q, skew %s: want both jobs as candidates (no clock to tell them apart), got %v", date, skew, err)
			}
			if n := srv.JobsCreatedFor(shared); n != 2 {
				t.Fatalf("Date %q: the create was repeated: %d jobs", date, n)
			}
			owned := srv.AddFile("b.txt", nil)
			srv.InjectFault(extracttest.Fault{Operation: "CreateExtractJob", Kind: extracttest.FaultDropAfter, Times: 1})
			_, err = c.CreateJob(ctx, lineReq(owned, true))
			if err != nil || srv.JobsCreatedFor(owned) != 1 {
				t.Fatalf("Date %q: owned file: %v, %d jobs", date, err, srv.JobsCreatedFor(owned))
			}
		}
	}
}
