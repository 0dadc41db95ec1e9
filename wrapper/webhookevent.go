package wrapper

// WebhookEvent names a webhook delivery: what Webhook.Events selects and
// what webhook.Event.Name reports. The API types it as an open string; a
// name the client does not know (another product's event, a new one) is
// kept as is.
type WebhookEvent string

// The events LlamaCloud documents for extract jobs. There is no running
// event, and no job status matches extract.partial_success.
const (
	EventExtractPending        WebhookEvent = "extract.pending"
	EventExtractSuccess        WebhookEvent = "extract.success"
	EventExtractError          WebhookEvent = "extract.error"
	EventExtractPartialSuccess WebhookEvent = "extract.partial_success"
	EventExtractCancelled      WebhookEvent = "extract.cancelled"
)

// Known reports whether e is one of the documented extract events.
func (e WebhookEvent) Known() bool {
	switch e {
	case EventExtractPending, EventExtractSuccess, EventExtractError, EventExtractPartialSuccess, EventExtractCancelled:
		return true
	}
	return false
}
