package batch_test

import (
	"log"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/extract-go/llamaextract/extracttest"
	"github.com/extract-go/llamaextract/wrapper"
	"github.com/extract-go/llamaextract/wrapper/batch"
)

// fast polls every 2 ms.
var fast = batch.WithWaitOptions(wrapper.WithSchedule(wrapper.FixedSchedule(2 * time.Millisecond)))

// fastRetry keeps the default retry rules with millisecond backoff.
var fastRetry = wrapper.WithRetryPolicy(wrapper.RetryPolicy{MaxRetries: 2, BaseDelay: time.Millisecond, MaxDelay: 5 * time.Millisecond, MaxRetryAfter: 50 * time.Millisecond, Jitter: 0.25})

type numbered struct {
	Number string  `json:"number"`
	Amount float64 `json:"amount"`
}

type Line struct {
	Description string  `json:"description"`
	Amount      float64 `json:"amount"`
}

type nuInvoice struct {
	Number string  `json:"invoice_number" jsonschema:"description=The invoice's identifier"`
	Vendor string  `json:"vendor"`
	Total  float64 `json:"total"`
	Due    *string `json:"due_date"`
}

const nuInvoiceText = "Invoice Number: INV-7\nVendor: Acme\nTotal: $1,204.50\n"

// nuEnv is the setup the README's testing section shows: one auto-advancing
// clock for the emulator and the client.
func nuEnv(t *testing.T, srvOpts []extracttest.Option, opts ...wrapper.Option) (*extracttest.Server, *wrapper.Client, *extracttest.FakeClock) {
	t.Helper()
	clock := extracttest.NewFakeClock(time.Now())
	clock.SetAutoAdvance(true)
	srv := extracttest.NewTestServer(t, append([]extracttest.Option{extracttest.WithClock(clock)}, srvOpts...)...)
	opts = append([]wrapper.Option{wrapper.WithBaseURL(srv.URL), wrapper.WithAPIKey("test"), wrapper.WithClock(clock)}, opts...)
	client, err := wrapper.New(opts...)
	if err != nil {
		t.Fatal(err)
	}
	return srv, client, clock
}

func exampleClient() (*wrapper.Client, *extracttest.Server) {
	clock := extracttest.NewFakeClock(time.Date(2026, 11, 29, 9, 0, 0, 0, time.UTC))
	clock.SetAutoAdvance(true)
	srv := extracttest.NewServer(extracttest.WithClock(clock))
	client, err := wrapper.New(wrapper.WithBaseURL(srv.URL), wrapper.WithAPIKey("any-key"), wrapper.WithClock(clock))
	if err != nil {
		log.Fatal(err)
	}
	return client, srv
}

func writeSample(name, text string) string {
	path := filepath.Join(os.TempDir(), name)
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		log.Fatal(err)
	}
	return path
}
