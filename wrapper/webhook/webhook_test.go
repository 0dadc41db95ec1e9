package webhook_test

import (
	"context"
	"errors"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/extract-go/llamaextract/extracttest"
	"github.com/extract-go/llamaextract/wrapper"
	"github.com/extract-go/llamaextract/wrapper/webhook"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m, goleak.IgnoreTopFunction("net/http.(*persistConn).writeLoop"),
		goleak.IgnoreTopFunction("net/http.(*persistConn).readLoop"), goleak.IgnoreTopFunction("internal/poll.runtime_pollWait"))
}

func TestVerify(t *testing.T) {
	body := []byte(`{"event":"extract.success"}`)
	sig := webhook.Sign("s3cret", body)
	if !strings.HasPrefix(sig, "sha256=") || len(sig) != 7+64 {
		t.Fatalf("signature %q", sig)
	}
	cases := []struct {
		name, header string
		want         error
	}{
		{"ok", sig, nil},
		{"upper-case hex", "sha256=" + strings.ToUpper(sig[7:]), nil},
		{"missing", "", webhook.ErrMissingSignature},
		{"no algorithm", sig[7:], webhook.ErrMalformedSignature},
		{"other algorithm", "sha1=" + sig[7:], webhook.ErrMalformedSignature},
		{"not hex", "sha256=zz" + sig[9:], webhook.ErrMalformedSignature},
		{"short", sig[:20], webhook.ErrMalformedSignature},
		{"wrong secret", webhook.Sign("other", body), webhook.ErrInvalidSignature},
	}
	for _, tc := range cases {
		if err := webhook.Verify("s3cret", body, tc.header); !errors.Is(err, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, err, tc.want)
		}
	}
	if err := webhook.Verify("s3cret", append(body, ' '), sig); !errors.Is(err, webhook.ErrInvalidSignature) {
		t.Errorf("altered body: %v", err)
	}
}

func TestParse(t *testing.T) {
	cases := map[string]webhook.Event{
		`{"event":"extract.success","job_id":"ext-1","status":"COMPLETED"}`:        {Name: "extract.success", JobID: "ext-1", Status: "COMPLETED"},
		`"{\"event\":\"extract.error\",\"job_id\":\"ext-2\"}"`:                     {Name: "extract.error", JobID: "ext-2"},
		`{"event_type":"extract.teleported","data":{"id":"ext-3","status":"NEW"}}`: {Name: "extract.teleported", JobID: "ext-3", Status: "NEW"},
	}
	for body, want := range cases {
		got, err := webhook.Parse([]byte(body))
		if err != nil || got.Name != want.Name || got.JobID != want.JobID || got.Status != want.Status || len(got.Payload) == 0 {
			t.Errorf("%s: %+v %v", body, got, err)
		}
	}
	if e, _ := webhook.Parse([]byte(`{"event":"extract.teleported"}`)); e.Name.Known() {
		t.Error("unknown event reported as known")
	}
	for _, bad := range []string{``, `[1]`, `"not json inside"`, `"unterminated`} {
		if _, err := webhook.Parse([]byte(bad)); err == nil {
			t.Errorf("%q parsed", bad)
		}
	}
}

func FuzzParseAndVerify(f *testing.F) {
	f.Add([]byte(`{"event":"extract.success","job_id":"ext-1"}`), "sha256=00")
	f.Add([]byte(`"{\"data\":{\"id\":1}}"`), "")
	f.Fuzz(func(t *testing.T, body []byte, header string) {
		_, _ = webhook.Parse(body)
		if err := webhook.Verify("k", body, header); err == nil && header != webhook.Sign("k", body) && !strings.EqualFold(header, webhook.Sign("k", body)) {
			t.Fatalf("accepted %q", header)
		}
	})
}

func TestHandler(t *testing.T) {
	var got []webhook.Event
	h, err := webhook.Handler("s3cret", func(_ context.Context, e webhook.Event) error {
		if e.JobID == "ext-fail" {
			return errors.New("db down")
		}
		got = append(got, e)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	send := func(method, body, sig string) int {
		req := httptest.NewRequest(method, "/hook", strings.NewReader(body))
		if sig != "" {
			req.Header.Set(webhook.SignatureHeader, sig)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec.Code
	}
	ok := `{"event":"extract.success","job_id":"ext-1"}`
	if c := send("POST", ok, webhook.Sign("s3cret", []byte(ok))); c != 204 || len(got) != 1 {
		t.Fatalf("valid: %d", c)
	}
	if c := send("POST", ok, ""); c != 401 {
		t.Fatalf("unsigned: %d", c)
	}
	if c := send("POST", ok, webhook.Sign("other", []byte(ok))); c != 401 {
		t.Fatalf("bad signature: %d", c)
	}
	if c := send("GET", ok, webhook.Sign("s3cret", []byte(ok))); c != 405 {
		t.Fatalf("GET: %d", c)
	}
	if c := send("POST", "[]", webhook.Sign("s3cret", []byte("[]"))); c != 400 {
		t.Fatalf("not an object: %d", c)
	}
	fail := `{"event":"extract.success","job_id":"ext-fail"}`
	if c := send("POST", fail, webhook.Sign("s3cret", []byte(fail))); c != 500 {
		t.Fatalf("handler error: %d", c)
	}
}

// The emulator delivers signed webhooks as a job changes status.
func TestEmulatorDeliversSignedWebhooks(t *testing.T) {
	clock := extracttest.NewFakeClock(time.Now())
	srv := extracttest.NewTestServer(t, extracttest.WithClock(clock), extracttest.WithJobDuration(time.Minute))
	client, err := wrapper.New(wrapper.WithBaseURL(srv.URL), wrapper.WithAPIKey("k"), wrapper.WithHTTPClient(srv.Client()))
	if err != nil {
		t.Fatal(err)
	}
	events := make(chan webhook.Event, 16)
	h, err := webhook.Handler("whsec", func(_ context.Context, e webhook.Event) error {
		events <- e
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	receiver := httptest.NewServer(h)
	defer receiver.Close()
	next := func() webhook.Event {
		t.Helper()
		select {
		case e := <-events:
			return e
		case <-time.After(10 * time.Second):
			t.Fatal("no webhook delivered")
			return webhook.Event{}
		}
	}
	url, secret, wrong := receiver.URL, "whsec", "not-the-secret"
	file := srv.AddFile("a.txt", []byte("Vendor: V\n"))
	schema := wrapper.MustSchemaFor[struct {
		Vendor string `json:"vendor"`
	}]()
	ctx := context.Background()
	create := func(hooks ...wrapper.Webhook) *wrapper.Job {
		j, err := client.CreateJob(ctx, wrapper.CreateJobRequest{FileInput: file, Config: wrapper.ExtractConfig{Schema: schema}, Webhooks: hooks})
		if err != nil {
			t.Fatal(err)
		}
		return j
	}

	job := create(wrapper.Webhook{URL: url, SigningSecret: secret})
	if e := next(); e.Name != wrapper.EventExtractPending || e.JobID != job.ID || !e.Name.Known() {
		t.Fatalf("first event %+v", e)
	}
	clock.Advance(2 * time.Minute)
	if e := next(); e.Name != wrapper.EventExtractSuccess || e.JobID != job.ID || e.Status != wrapper.StatusCompleted {
		t.Fatalf("second event %+v", e)
	}

	filtered := create(wrapper.Webhook{URL: url, SigningSecret: secret, Events: []wrapper.WebhookEvent{wrapper.EventExtractSuccess}, JSONPayload: true})
	cancelled := create(wrapper.Webhook{URL: url, SigningSecret: secret, Events: []wrapper.WebhookEvent{wrapper.EventExtractCancelled}})
	if _, err := client.CancelJob(ctx, cancelled.ID); err != nil {
		t.Fatal(err)
	}
	if e := next(); e.Name != wrapper.EventExtractCancelled || e.JobID != cancelled.ID {
		t.Fatalf("cancel event %+v", e)
	}
	clock.Advance(2 * time.Minute)
	if e := next(); e.Name != wrapper.EventExtractSuccess || e.JobID != filtered.ID || !strings.HasPrefix(string(e.Payload), "{") {
		t.Fatalf("filtered event %+v", e)
	}

	before := srv.Stats().WebhookFailures
	create(wrapper.Webhook{URL: url, SigningSecret: wrong})
	deadline := time.Now().Add(10 * time.Second)
	for srv.Stats().WebhookFailures == before && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
	if srv.Stats().WebhookFailures == before {
		t.Fatal("a delivery signed with the wrong secret was accepted")
	}
	select {
	case e := <-events:
		t.Fatalf("unexpected event %+v", e)
	default:
	}
}

// An empty secret verifies nothing: it is refused when the handler is
// built, and Verify refuses every delivery with it.
func TestEmptySecretRefused(t *testing.T) {
	h, err := webhook.Handler("", func(context.Context, webhook.Event) error { return nil })
	if !errors.Is(err, webhook.ErrEmptySecret) || h != nil {
		t.Fatalf("handler with an empty secret: %v, %v", h, err)
	}
	body := []byte(`{"event":"extract.success"}`)
	if err := webhook.Verify("", body, webhook.Sign("", body)); !errors.Is(err, webhook.ErrEmptySecret) {
		t.Fatalf("Verify with an empty secret: %v", err)
	}
	// A secret of only whitespace (a variable read from a blank line) is
	// as guessable as none.
	for _, s := range []string{" ", "\n", "\t \r\n"} {
		if h, err := webhook.Handler(s, func(context.Context, webhook.Event) error { return nil }); !errors.Is(err, webhook.ErrEmptySecret) || h != nil {
			t.Fatalf("handler with secret %q: %v", s, err)
		}
		if err := webhook.Verify(s, body, webhook.Sign(s, body)); !errors.Is(err, webhook.ErrEmptySecret) {
			t.Fatalf("Verify with secret %q: %v", s, err)
		}
	}
}

// Every error of the package speaks in the module's one voice, so a log
// filter or an alert on "llamaextract: " catches webhook failures too.
func TestErrorsCarryTheModulePrefix(t *testing.T) {
	_, parseErr := webhook.Parse([]byte(`[1]`))
	_, nilErr := webhook.Handler("s", nil)
	for _, err := range []error{webhook.ErrEmptySecret, webhook.ErrMissingSignature, webhook.ErrMalformedSignature,
		webhook.ErrInvalidSignature, parseErr, nilErr} {
		if err == nil || !strings.HasPrefix(err.Error(), "llamaextract: webhook: ") {
			t.Errorf("error %q lacks the \"llamaextract: webhook: \" prefix", err)
		}
	}
}
