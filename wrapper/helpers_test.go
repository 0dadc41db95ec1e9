package wrapper_test

import (
	"testing"
	"time"

	"github.com/extract-go/llamaextract/extracttest"
	"github.com/extract-go/llamaextract/wrapper"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m, goleak.IgnoreTopFunction("net/http.(*persistConn).writeLoop"),
		goleak.IgnoreTopFunction("net/http.(*persistConn).readLoop"), goleak.IgnoreTopFunction("internal/poll.runtime_pollWait"))
}

// fast polls every few milliseconds so tests never sleep for long.
var fast = wrapper.WithSchedule(wrapper.FixedSchedule(2 * time.Millisecond))

// fastRetry keeps the default retry rules with millisecond backoff.
var fastRetry = wrapper.WithRetryPolicy(wrapper.RetryPolicy{MaxRetries: 2, BaseDelay: time.Millisecond, MaxDelay: 5 * time.Millisecond, MaxRetryAfter: 50 * time.Millisecond, Jitter: 0.25})

func newClient(t *testing.T, opts ...extracttest.Option) (*wrapper.Client, *extracttest.Server) {
	t.Helper()
	srv := extracttest.NewTestServer(t, append([]extracttest.Option{extracttest.WithJobDuration(20 * time.Millisecond)}, opts...)...)
	c, err := wrapper.New(wrapper.WithBaseURL(srv.URL), wrapper.WithAPIKey("test-key"), wrapper.WithHTTPClient(srv.Client()), fastRetry)
	if err != nil {
		t.Fatal(err)
	}
	return c, srv
}

type Invoice struct {
	InvoiceNumber string   `json:"invoice_number" jsonschema:"description=The invoice's number"`
	Vendor        string   `json:"vendor" jsonschema:"description=Who issued the invoice"`
	Total         float64  `json:"total"`
	Paid          *bool    `json:"paid"`
	DueDate       string   `json:"due_date,omitempty"`
	Items         []Line   `json:"items"`
	Tags          []string `json:"tags,omitempty"`
}

type Line struct {
	Description string  `json:"description"`
	Amount      float64 `json:"amount"`
}

const invoiceDoc = "ACME CORP\nInvoice Number: INV-2026-001\nVendor: Acme Corp\nTotal: $1,204.50\nPaid: yes\n\n| Description | Amount |\n|---|---|\n| Widgets | 1000.00 |\n| Shipping | 204.50 |\n\fTerms: net 30\n"

type Txn struct {
	Date        string  `json:"date"`
	Description string  `json:"description"`
	Amount      float64 `json:"amount"`
}

const statementDoc = "Statement\n| Date | Description | Amount |\n|---|---|---|\n| 2026-01-02 | Coffee | 3.50 |\n| 2026-01-03 | Books | 42.00 |\n| 2026-01-04 | Rent | 900.00 |\n"

// One FakeClock can drive the emulator and the client.
var _ wrapper.Clock = (*extracttest.FakeClock)(nil)
