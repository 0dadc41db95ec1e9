package wrapper

import (
	"testing"

	"github.com/extract-go/llamaextract/generated"
)

// Each event constant is a value openapi.yaml's WebhookEvent enum lists, so
// a typo cannot subscribe a webhook to nothing.
func TestWebhookEventsAreInTheContract(t *testing.T) {
	for _, e := range []WebhookEvent{EventExtractPending, EventExtractSuccess, EventExtractError, EventExtractPartialSuccess, EventExtractCancelled} {
		if !e.Known() || !generated.WebhookEvent(e).Valid() {
			t.Errorf("%q: Known %v, in openapi.yaml %v", e, e.Known(), generated.WebhookEvent(e).Valid())
		}
	}
	if WebhookEvent("parse.success").Known() || WebhookEvent("extract.running").Known() {
		t.Error("an event that is not a documented extract event is reported as known")
	}
}
