package wrapper

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"testing"

	"github.com/extract-go/llamaextract/generated"
	"github.com/extract-go/llamaextract/internal/authtransport"
	"github.com/extract-go/llamaextract/internal/jobget"
)

// jobGetter sends what the generated client would: the same URL for every
// base (with or without a path), ID, organization, project and expand, and
// the headers the auth transport would add.
func TestJobGetterMatchesGenerated(t *testing.T) {
	ids := []string{"ext-1", "a b", "a/b", "ü?#%", "x;y=z", "ext-aaaaaaaa-bbbb"}
	for _, base := range []string{"https://api.cloud.llamaindex.ai", "http://127.0.0.1:8080/prefix", "http://127.0.0.1:8080/a/b/"} {
		for _, scope := range [][2]string{{"", ""}, {"org 1", ""}, {"", "prj&1"}, {"o", "p"}} {
			for _, expand := range [][]Expand{nil, {ExpandUsage}, {"a,b", "c d"}} {
				for _, id := range ids {
					c, err := New(WithAPIKey("k-12345678"), WithBaseURL(base), WithOrganizationID(scope[0]), WithProjectID(scope[1]))
					if err != nil {
						t.Fatal(err)
					}
					got, err := c.get.Request(context.Background(), id, deref(expandParam(expand)))
					if err != nil {
						t.Fatal(err)
					}
					want, err := generated.NewGetExtractJobRequest(c.gen.Server, id, &generated.GetExtractJobParams{OrganizationId: c.org(), ProjectId: c.project(), Expand: expandParam(expand)})
					if err != nil {
						t.Fatal(err)
					}
					if got.URL.String() != want.URL.String() || got.Host != want.Host || got.Method != want.Method {
						t.Errorf("base %q scope %q expand %q id %q: %s %s (host %q), generated %s %s (host %q)", base, scope, expand, id, got.Method, got.URL, got.Host, want.Method, want.URL, want.Host)
					}
				}
			}
		}
	}
}

// A request that already carries what the auth transport adds passes through
// unchanged (the hot GETs), anything else is copied and prepared: a retry
// gets its count, another host never gets the key, and the caller's
// request is never modified.
func TestAuthTransportPassThrough(t *testing.T) {
	var got []http.Header
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = append(got, r.Header.Clone())
	}))
	defer srv.Close()
	base, _ := url.Parse(srv.URL)
	var seen []*http.Request
	tr := authtransport.New(base, "k-12345678", "ua/1", http.Header{"X-Custom": {"v"}}, roundTripFunc(func(r *http.Request) (*http.Response, error) {
		seen = append(seen, r)
		return http.DefaultTransport.RoundTrip(r)
	}))
	g, err := jobget.New(base, &http.Client{Transport: tr}, tr.Header(), "", "")
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for _, c := range []struct {
		name         string
		ctx          context.Context
		url          string
		passes       bool
		auth, retry  string
		customHeader string
	}{
		{"prepared", ctx, "", true, "Bearer k-12345678", "", "v"},
		{"retry", authtransport.WithAttempt(ctx, 2), "", false, "Bearer k-12345678", "2", "v"},
		{"bare", ctx, srv.URL + "/api/v2/extract/x", false, "Bearer k-12345678", "", "v"},
		{"other host", ctx, "http://localhost" + srv.URL[len("http://127.0.0.1"):] + "/x", false, "", "", ""},
	} {
		var req *http.Request
		if c.url == "" {
			req, err = g.Request(c.ctx, "ext-1", nil)
		} else {
			req, err = http.NewRequestWithContext(c.ctx, http.MethodGet, c.url, nil)
			if c.name == "other host" {
				req.Header.Set("Authorization", tr.Header().Get("Authorization"))
			}
		}
		if err != nil {
			t.Fatal(err)
		}
		before := req.Header.Clone()
		resp, err := tr.RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if passed := seen[len(seen)-1] == req; passed != c.passes {
			t.Errorf("%s: passed through %v, want %v", c.name, passed, c.passes)
		}
		h := got[len(got)-1]
		if h.Get("Authorization") != c.auth || h.Get("X-Retry-Count") != c.retry || h.Get("X-Custom") != c.customHeader || h.Get("User-Agent") != "ua/1" || h.Get("Accept") != "application/json" {
			t.Errorf("%s: sent %v", c.name, h)
		}
		for k, v := range before {
			if !slices.Equal(req.Header[k], v) {
				t.Errorf("%s: the caller's header %s changed to %q", c.name, k, req.Header[k])
			}
		}
		if len(req.Header) != len(before) {
			t.Errorf("%s: the caller's header changed: %v, was %v", c.name, req.Header, before)
		}
	}
}

type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }
