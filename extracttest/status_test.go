package extracttest_test

import (
	"testing"
	"time"

	"github.com/extract-go/llamaextract/extracttest"
)

// A scripted job serves its steps' statuses, a status without a constant
// as is, and ends in the typed terminal status.
func TestStepStatusesAreServedAsTyped(t *testing.T) {
	a, clk := newAPI(t)
	file := a.s.AddFile("invoice.txt", []byte(invoiceText))
	a.s.ScriptFile(file, extracttest.Outcome{Steps: []extracttest.Step{
		{Status: extracttest.StatusThrottled, For: time.Second},
		{Status: "WARMING_UP", For: time.Second},
	}, Error: "boom"})
	j := a.create(file)
	for _, want := range []extracttest.Status{extracttest.StatusThrottled, "WARMING_UP", extracttest.StatusFailed} {
		if got := a.get(j.ID, ""); extracttest.Status(got.Status) != want {
			t.Fatalf("status %s, want %s", got.Status, want)
		}
		clk.Advance(time.Second)
	}
}
