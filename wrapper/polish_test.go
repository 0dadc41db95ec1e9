package wrapper_test

import (
	"context"
	"errors"
	"net"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/extract-go/llamaextract/extracttest"
	"github.com/extract-go/llamaextract/wrapper"
	"github.com/extract-go/llamaextract/wrapper/webhook"
)

func TestConnectionAndShapeErrorsMatchTheirSentinels(t *testing.T) {
	// A port nobody listens on: grab one, then close it.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	c, err := wrapper.New(wrapper.WithBaseURL("http://"+addr), wrapper.WithAPIKey("test-key"), wrapper.WithRetryPolicy(wrapper.RetryPolicy{}))
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.GetJob(context.Background(), "ext-1")
	var ce *wrapper.ConnectionError
	if !errors.As(err, &ce) || !errors.Is(err, wrapper.ErrConnection) || errors.Is(err, wrapper.ErrShape) {
		t.Fatalf("refused connection: %v; want a *ConnectionError matching ErrConnection only", err)
	}
	if _, err := wrapper.Decode[[]Invoice](&wrapper.Job{}); !errors.Is(err, wrapper.ErrShape) || errors.Is(err, wrapper.ErrConnection) {
		t.Fatalf("job without result: %v; want ErrShape", err)
	}
	for _, s := range []error{wrapper.ErrConnection, wrapper.ErrShape} {
		if !strings.HasPrefix(s.Error(), "llamaextract: ") {
			t.Errorf("sentinel %q lacks the prefix", s)
		}
	}
}

func TestNilOptionsAreSkipped(t *testing.T) {
	c, srv := newClient(t)
	c2, err := wrapper.New(nil, wrapper.WithBaseURL(srv.URL), wrapper.WithAPIKey("test-key"), nil, wrapper.WithHTTPClient(srv.Client()))
	if err != nil {
		t.Fatalf("New with nil options: %v", err)
	}
	ctx := context.Background()
	file := srv.AddFile("a.txt", []byte(invoiceDoc))
	job, err := c2.CreateJob(ctx, wrapper.CreateJobRequest{FileInput: file, Config: wrapper.ExtractConfig{Schema: wrapper.MustSchemaFor[Invoice]()}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Wait(ctx, job.ID, nil, wrapper.WithSchedule(wrapper.FixedSchedule(1)), nil); err != nil {
		t.Fatalf("Wait with nil options: %v", err)
	}
	if _, err := c.GetJob(ctx, job.ID, nil); err != nil {
		t.Fatalf("GetJob with a nil option: %v", err)
	}
	if _, _, err := wrapper.Extract[Invoice](ctx, c, file, wrapper.ExtractConfig{}, nil); err != nil {
		t.Fatalf("Extract with a nil option: %v", err)
	}
}

func TestNegativeWaitOptionsAreRejectedBeforeAnyRequest(t *testing.T) {
	c, srv := newClient(t)
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "inv.txt")
	if err := os.WriteFile(path, []byte(invoiceDoc), 0o600); err != nil {
		t.Fatal(err)
	}
	file := srv.AddFile("a.txt", []byte(invoiceDoc))
	req := wrapper.CreateJobRequest{FileInput: file, Config: wrapper.ExtractConfig{Schema: wrapper.MustSchemaFor[Invoice]()}}
	for name, opt := range map[string]wrapper.PollOption{
		"WithWaitTimeout": wrapper.WithWaitTimeout(-time.Second),
		"WithSchedule":    wrapper.WithSchedule(wrapper.LinearSchedule{First: time.Second, Step: -time.Second}),
	} {
		calls := map[string]func() error{
			"Wait": func() error { _, err := c.Wait(ctx, "ext-1", opt); return err },
			"Run":  func() error { _, err := c.Run(ctx, req, opt); return err },
			"Extract": func() error {
				_, _, err := wrapper.Extract[Invoice](ctx, c, path, wrapper.ExtractConfig{}, opt)
				return err
			},
			"ExtractRows": func() error {
				_, _, err := wrapper.ExtractRows[Line](ctx, c, path, wrapper.ExtractConfig{}, opt)
				return err
			},
		}
		for call, f := range calls {
			err := f()
			var ve *wrapper.ValidationError
			if !errors.As(err, &ve) || ve.Field != name || !strings.Contains(err.Error(), "negative") {
				t.Errorf("%s with a negative %s: %v; want a *ValidationError naming the option", call, name, err)
			}
		}
	}
	total := 0
	for _, n := range srv.Stats().Requests {
		total += n
	}
	if total != 0 {
		t.Fatalf("%d requests sent (%v); a bad option must be refused before any", total, srv.Stats().Requests)
	}
	if _, err := c.Run(ctx, req, wrapper.WithWaitTimeout(0), wrapper.WithSchedule(wrapper.FixedSchedule(0))); err != nil {
		t.Fatalf("zero durations are allowed: %v", err)
	}
}

func TestWebhooksReachTheJobRunCreates(t *testing.T) {
	c, srv := newClient(t)
	ctx := context.Background()
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
	file := srv.AddFile("a.txt", []byte(invoiceDoc))
	hook := wrapper.Webhook{URL: receiver.URL, SigningSecret: "whsec"}
	cfg := wrapper.ExtractConfig{Schema: wrapper.MustSchemaFor[Invoice]()}
	job, err := c.Run(ctx, wrapper.CreateJobRequest{FileInput: file, Config: cfg, Webhooks: []wrapper.Webhook{hook}}, fast)
	if err != nil {
		t.Fatal(err)
	}
	select {
	case e := <-events:
		if e.JobID != job.ID {
			t.Fatalf("delivery for %q, want the job Run created (%s)", e.JobID, job.ID)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("CreateJobRequest.Webhooks: no delivery for the job Run created")
	}

	// A bad webhook is refused before any request.
	before := srv.Stats().Requests[extracttest.OpCreateExtractJob]
	_, err = c.Run(ctx, wrapper.CreateJobRequest{FileInput: file, Config: cfg, Webhooks: []wrapper.Webhook{{URL: "not a url"}}})
	if !errors.Is(err, wrapper.ErrInvalidRequest) || !strings.Contains(err.Error(), "webhook_url") {
		t.Fatalf("bad webhook: %v; want a *ValidationError naming webhook_url", err)
	}
	if after := srv.Stats().Requests[extracttest.OpCreateExtractJob]; after != before {
		t.Fatalf("a create was sent (%d -> %d) despite a bad webhook", before, after)
	}
}
