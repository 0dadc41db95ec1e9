package wrapper

import (
	"strings"

	"github.com/extract-go/llamaextract/generated"
)

// The API types these as open strings (as the official SDKs do); the
// constants are the values it documents. See openapi.yaml for what the
// service does with a value it does not know.

// InputKind is the kind of document a job reads, for
// JobFilter.DocumentInputType. A kind the service does not know is accepted
// and matches no job.
type InputKind string

// Input kinds the service documents.
const (
	// InputFileID is an uploaded file (dfl-...).
	InputFileID InputKind = "file_id"
	// InputParseJobID is a completed parse job (pjb-...).
	InputParseJobID InputKind = "parse_job_id"
)

// FileOrder is a sort key of ListFiles (its order_by). The service refuses
// any other key, a direction or several keys with a 400.
type FileOrder string

// Sort keys of ListFiles.
const (
	// FileOrderName sorts by file name, ascending.
	FileOrderName FileOrder = "name"
	// FileOrderID sorts by file ID, ascending.
	FileOrderID FileOrder = "id"
	// FileOrderCreatedAt sorts newest first (the default).
	FileOrderCreatedAt FileOrder = "created_at"
)

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
	return strings.HasPrefix(string(e), "extract.") && generated.WebhookEvent(e).Valid()
}
