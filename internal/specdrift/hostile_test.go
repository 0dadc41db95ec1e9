package specdrift_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/extract-go/llamaextract/extracttest"
	"github.com/extract-go/llamaextract/internal/specdrift"
)

const hostileTS = `"created_at":"2026-01-01T00:00:00Z","updated_at":"2026-01-01T00:00:00Z"`

func hostileJob(id, extra string) string {
	return `{"id":` + strconv.Quote(id) + `,` + hostileTS + `,"file_input":"dfl-1","project_id":"prj-1","status":"COMPLETED"` + extra + `}`
}

// keyForms are the ways a server can echo a key back: as sent, base64
// (standard, URL-safe, unpadded, inside "Bearer <key>" at every alignment),
// hex, URL-encoded, and pieces of it.
func keyForms(key string) []string {
	forms := []string{key, key[:8], key[len(key)-8:], key[10:22], url.QueryEscape(key), url.PathEscape(key),
		hex.EncodeToString([]byte(key)), strings.ToUpper(hex.EncodeToString([]byte(key)))}
	for _, s := range []string{key, "Bearer " + key, "x" + key, "xy" + key} {
		for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.URLEncoding, base64.RawStdEncoding, base64.RawURLEncoding} {
			e := enc.EncodeToString([]byte(s))
			forms = append(forms, e[12:len(e)-8]) // the part that is the key's
		}
	}
	return forms
}

func leaked(out, key string) []string {
	var found []string
	for _, f := range keyForms(key) {
		if strings.Contains(out, f) {
			found = append(found, f)
		}
	}
	return found
}

// A hostile or broken server can echo the key in any encoding: in ids the
// tour then puts in its paths, in member names, in a Content-Type, in
// values. The report (text and JSON), the progress lines and the error
// that ends the tour hold it in none of them.
func TestTourNeverShowsTheKeyInAnyForm(t *testing.T) {
	const key = "llx-Q+/Ab1Cd2Ef3Gh4Ij5Kl6Mn7Op8Qr9St0Uv1Wx2Yz3"
	b64 := base64.RawURLEncoding.EncodeToString([]byte(key))
	basic := base64.StdEncoding.EncodeToString([]byte("Bearer " + key))
	hx := hex.EncodeToString([]byte(key))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch p := r.URL.Path; {
		case p == "/api/v2/extract":
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprintf(w, `{"items":[%s]}`, hostileJob(b64, fmt.Sprintf(`,%q:1,%q:2,%q:3,"n1":%q,"n2":%q,"n3":%q`,
				b64, url.QueryEscape(key), hx, basic, hx, key[10:22])))
		case p == "/api/v1/beta/files":
			w.Header().Set("Content-Type", "text/plain; k="+basic)
			fmt.Fprint(w, basic)
		case p == "/api/v1/beta/configurations":
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprintf(w, `{"items":[{"id":%q,"name":"n","product_type":"extract_v2","version":"v","parameters":{"product_type":%q}}]}`, url.QueryEscape(key), hx)
		case strings.HasPrefix(p, "/api/v1/beta/configurations/"):
			// Drop the connection: the error names the request.
			c, _, _ := w.(http.Hijacker).Hijack()
			c.Close()
		default:
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprint(w, hostileJob("ext-1", `,"status":`+strconv.Quote(hx)))
		}
	}))
	defer srv.Close()
	var progress bytes.Buffer
	tour := &specdrift.Tour{BaseURL: srv.URL, APIKey: key, Progress: &progress}
	rep, err := tour.Run(context.Background())
	var fe *specdrift.FailureError
	if !errors.As(err, &fe) {
		t.Fatalf("want a FailureError from the dropped connection, got %v", err)
	}
	var text, js bytes.Buffer
	if err := rep.WriteText(&text); err != nil {
		t.Fatal(err)
	}
	if err := rep.WriteJSON(&js); err != nil {
		t.Fatal(err)
	}
	for name, out := range map[string]string{"text": text.String(), "json": js.String(), "progress": progress.String(), "error": err.Error()} {
		if l := leaked(out, key); len(l) > 0 {
			t.Errorf("%s holds the key as %q:\n%s", name, l, out)
		}
	}
}

// A key that is also a JSON word, a number or a member name leaves the
// --json report valid JSON with its structure.
func TestJSONReportIsValidWhateverTheKey(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusTeapot)
		fmt.Fprint(w, `{"detail":"no"}`)
	}))
	defer srv.Close()
	for _, key := range []string{"true", "2", `"`, "path", "{", ":", "findings", "\\"} {
		rep, err := (&specdrift.Tour{BaseURL: srv.URL, APIKey: key}).Run(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		var out bytes.Buffer
		if err := rep.WriteJSON(&out); err != nil {
			t.Fatal(err)
		}
		var got struct {
			Findings []specdrift.Finding `json:"findings"`
			Drift    int                 `json:"drift"`
		}
		if err := json.Unmarshal(out.Bytes(), &got); err != nil || got.Drift == 0 || len(got.Findings) != got.Drift {
			t.Errorf("key %q: %v, drift %d, %d findings:\n%s", key, err, got.Drift, len(got.Findings), out.String())
		}
	}
}

// A tour that could not finish (a refused key, a network failure) does not
// end its report with "No drift": it says it is unfinished, and --json says
// complete: false.
func TestUnfinishedCheckDoesNotSayNoDrift(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		fmt.Fprint(w, `{"detail":"bad key"}`)
	}))
	defer srv.Close()
	down := httptest.NewServer(http.NotFoundHandler())
	down.Close()
	for _, base := range []string{srv.URL, down.URL} {
		rep, err := (&specdrift.Tour{BaseURL: base, APIKey: "k"}).Run(context.Background())
		if err == nil {
			t.Fatalf("%s: no error", base)
		}
		var text, js bytes.Buffer
		_ = rep.WriteText(&text)
		_ = rep.WriteJSON(&js)
		if strings.Contains(text.String(), "No drift") || !strings.Contains(text.String(), "not finished") {
			t.Errorf("%s: text report of an unfinished check:\n%s", base, text.String())
		}
		var got struct {
			Complete *bool  `json:"complete"`
			Error    string `json:"error"`
		}
		if json.Unmarshal(js.Bytes(), &got) != nil || got.Complete == nil || *got.Complete || got.Error == "" {
			t.Errorf("%s: JSON report of an unfinished check:\n%s", base, js.String())
		}
	}
	ok := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusTeapot)
		fmt.Fprint(w, `{"detail":"no"}`)
	}))
	defer ok.Close()
	rep, _ := (&specdrift.Tour{BaseURL: ok.URL, APIKey: "k"}).Run(context.Background())
	var js bytes.Buffer
	_ = rep.WriteJSON(&js)
	if !strings.Contains(js.String(), `"complete": true`) {
		t.Errorf("finished check without complete: true:\n%s", js.String())
	}
}

// An answer over the check's read limit (here a gzip bomb: 40 MiB of JSON
// in 40 KiB) is reported as too large, not as "not JSON", and reading it
// stays bounded.
func TestAnswerOverTheReadLimitIsReportedAsTooLarge(t *testing.T) {
	var bomb bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&bomb, gzip.BestCompression)
	fmt.Fprint(zw, `{"items":[]`)
	spaces := bytes.Repeat([]byte(" "), 1<<20)
	for range 40 {
		_, _ = zw.Write(spaces)
	}
	fmt.Fprint(zw, `}`)
	_ = zw.Close()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.URL.Path == "/api/v2/extract" {
			w.Header().Set("Content-Encoding", "gzip")
			_, _ = w.Write(bomb.Bytes())
			return
		}
		w.WriteHeader(http.StatusTeapot)
		fmt.Fprint(w, `{"detail":"no"}`)
	}))
	defer srv.Close()
	rep, err := (&specdrift.Tour{BaseURL: srv.URL, APIKey: "k"}).Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var found bool
	for _, f := range rep.Findings {
		if f.Operation == "ListExtractJobs" {
			if f.Kind != specdrift.KindTooLarge || f.Severity != specdrift.Drift || !strings.Contains(f.Got, "MiB") {
				t.Errorf("ListExtractJobs: %s", f)
			}
			found = true
		}
	}
	if !found {
		t.Errorf("no finding for the oversized answer: %+v", rep.Findings)
	}
}

// A base URL with a path (a gateway that serves the API under /llama)
// is the prefix of every operation's path, not part of it: the tour finds
// the operations and, against the emulator, no drift.
func TestTourUnderABaseURLWithAPathFindsTheOperations(t *testing.T) {
	srv := extracttest.NewTestServer(t)
	mux := http.NewServeMux()
	mux.Handle("/llama/", http.StripPrefix("/llama", srv))
	gw := httptest.NewServer(mux)
	defer gw.Close()
	seed := &specdrift.Tour{BaseURL: gw.URL + "/llama/", APIKey: "k", Create: true, PollInterval: 10 * time.Millisecond}
	rep, err := seed.Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if rep.Drift() != 0 || len(rep.Requests) < 8 {
		t.Fatalf("%d requests checked, drift %d: %+v", len(rep.Requests), rep.Drift(), rep.Findings)
	}
	for _, e := range rep.Requests {
		if strings.HasPrefix(e.Path, "/llama") {
			t.Errorf("request path %s holds the base URL's path", e.Path)
		}
	}
}

// A flood of distinct findings (here 20,000 members no schema has, in each
// answer; a 32 MiB answer can hold two million) keeps the report bounded: the first findings of an
// operation are listed, the rest counted in one "more" finding.
func TestFindingsStayBoundedOnAFlood(t *testing.T) {
	const members = 20000
	var b strings.Builder
	b.WriteString(`{"items":[` + strings.TrimSuffix(hostileJob("ext-1", ""), "}"))
	for i := range members {
		fmt.Fprintf(&b, `,"m%d":%d`, i, i)
	}
	b.WriteString(`}]}`)
	body := b.String()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		if r.URL.Path != "/api/v2/extract" {
			w.WriteHeader(http.StatusTeapot)
		}
		fmt.Fprint(w, body)
	}))
	defer srv.Close()
	rep, err := (&specdrift.Tour{BaseURL: srv.URL, APIKey: "llx-AbCdEfGh1234567890IjKlMnOpQrStUvWxYz"}).Run(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	perOp, more := map[string]int{}, 0
	for _, f := range rep.Findings {
		perOp[f.Operation]++
		if f.Kind == specdrift.KindMore {
			more += f.Count
			if f.Severity != specdrift.Drift || !strings.Contains(f.Got, strconv.Itoa(f.Count)) {
				t.Errorf("more finding: %s", f)
			}
		}
	}
	for op, n := range perOp {
		if n > 101 {
			t.Errorf("%s: %d findings listed", op, n)
		}
	}
	if more < members-100 {
		t.Errorf("%d findings counted as more, want about %d", more, members-100)
	}
	var text bytes.Buffer
	if err := rep.WriteText(&text); err != nil || text.Len() > 1<<20 {
		t.Errorf("text report of %d bytes (%v)", text.Len(), err)
	}
}

// A tour answered with server errors (which default documents) has no
// drift, but its verdict says how many answers were 5xx, whose operations
// were therefore not checked.
func TestServerErrorsAreNamedInTheVerdict(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusServiceUnavailable)
		fmt.Fprint(w, `{"detail":"busy"}`)
	}))
	defer srv.Close()
	rep, err := (&specdrift.Tour{BaseURL: srv.URL, APIKey: "k"}).Run(context.Background())
	if err != nil || rep.Drift() != 0 {
		t.Fatalf("%v, drift %d", err, rep.Drift())
	}
	var text bytes.Buffer
	_ = rep.WriteText(&text)
	if !strings.Contains(text.String(), "5 answers were server errors") {
		t.Errorf("verdict does not name the 5xx answers:\n%s", text.String())
	}
}

// With Create, the job and the file the tour made are deleted also when
// the tour ends early: a connection dropped while polling, or the run
// cancelled (Ctrl-C) during the wait.
func TestCreatedJobAndFileAreDeletedWhenTheTourEndsEarly(t *testing.T) {
	for _, how := range []string{"dropped", "cancelled"} {
		t.Run(how, func(t *testing.T) {
			emu := extracttest.NewTestServer(t, extracttest.WithJobDuration(time.Hour))
			var mu sync.Mutex
			var deletes []string
			polls := 0
			gw := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				mu.Lock()
				if r.Method == http.MethodDelete {
					deletes = append(deletes, r.URL.Path)
				}
				poll := r.Method == http.MethodGet && strings.HasPrefix(r.URL.Path, "/api/v2/extract/ext-")
				if poll {
					polls++
				}
				drop := how == "dropped" && poll && polls >= 2
				mu.Unlock()
				if drop {
					c, _, _ := w.(http.Hijacker).Hijack()
					c.Close()
					return
				}
				emu.ServeHTTP(w, r)
			}))
			defer gw.Close()
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			tour := &specdrift.Tour{BaseURL: gw.URL, APIKey: "k", Create: true, PollInterval: time.Millisecond, WaitTimeout: time.Second,
				Sleep: func(ctx context.Context, _ time.Duration) error {
					if how == "cancelled" {
						cancel()
						return ctx.Err()
					}
					return nil
				}}
			_, err := tour.Run(ctx)
			var fe *specdrift.FailureError
			if !errors.As(err, &fe) {
				t.Fatalf("want a FailureError, got %v", err)
			}
			mu.Lock()
			defer mu.Unlock()
			var job, file bool
			for _, p := range deletes {
				job = job || strings.HasPrefix(p, "/api/v2/extract/ext-")
				file = file || strings.HasPrefix(p, "/api/v1/beta/files/dfl-")
			}
			if !job || !file {
				t.Errorf("deletes sent: %v (want the job and the file)", deletes)
			}
		})
	}
}
