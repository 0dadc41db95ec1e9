// Package extracttest is an in-memory LlamaCloud Extract service for tests,
// like net/http/httptest: NewTestServer starts one on a loopback port,
// closes it when the test ends and fails the test if the emulator ever
// produced a response that does not match openapi.yaml. Every request and
// response is validated against the spec, so code that passes here sends
// what the real service accepts.
//
//	srv := extracttest.NewTestServer(t)
//	file := srv.AddFile("invoice.txt", []byte("Invoice Number: INV-1\nTotal: $12.50\n"))
//
// # Time
//
// Jobs move through their statuses (by default PENDING for a quarter of
// WithJobDuration, one second unless set, then RUNNING, then COMPLETED) as
// the server's Clock moves; nothing runs in the background. A FakeClock
// moves only when told to, and it also satisfies wrapper.Clock, so one
// clock can drive the server and the client. With SetAutoAdvance(true),
// every wait of the client moves the clock by its own length at once: a
// ten-minute job completes in milliseconds, without a second goroutine.
//
// # Documents and the synthetic model
//
// The "model" is deliberately simple and deterministic, so tests can
// predict its output:
//
//   - A text document is split into pages at form feeds ("\f"): page 1 is
//     the text before the first "\f", and so on. In a PDF, each
//     "/Type /Page" object is a page and its text is what the page draws
//     with Tj in uncompressed content streams. target_pages and max_pages
//     select pages as the service does.
//   - "Label: value" lines give values: a label matches a schema property
//     when both agree after lower-casing and dropping everything but
//     letters and digits ("Invoice Number" matches invoice_number). The
//     first match in the document wins.
//   - A table is a block of "|"-separated lines whose header names at
//     least one property of the row schema; a separator line ("|---|")
//     is skipped. Arrays of objects and per_table_row results take one
//     element per table row; per_table_row without a table yields
//     WithTableRows rows (default 3).
//   - Values are coerced to the property's type: numbers lose currency
//     signs, thousands separators and spaces ("$1,204.50" is 1204.5),
//     booleans read yes/no/true/false/y/n/1/0, enums match case-insensitively.
//   - A property the document does not hold (no "Label: value" line or
//     table column names it; for an object, none of its properties; for an
//     array of objects, no table) is null when its schema allows null
//     ({"anyOf": [{...}, {"type": "null"}]} or a type list with "null":
//     what wrapper.SchemaFor writes for a pointer or omitempty field, so Go
//     code reads a nil pointer). If its schema does not allow null, it is
//     left out of its object when it is optional (not in "required"), and
//     is a deterministic synthetic value of the right type when it is
//     required, as a model pushed to fill a required field invents one. So
//     every result validates against the job's data_schema. A value found
//     that cannot be read as the property's type is null where null is
//     allowed, else synthetic.
//   - With cite_sources, each found value is cited (page, matching text, a
//     bounding box of its line); with confidence_scores, found values score
//     0.97, synthetic ones 0.5 and nulls 0.
//
// Outcome (ScriptFile, ScriptJob) replaces the schedule, the result or
// makes a job fail.
//
// # Webhooks
//
// A job created with webhook_configurations gets its deliveries: the
// PENDING event at once, then the event of its end (extract.success,
// extract.error, extract.cancelled) once the server's clock has reached it.
// Deliveries are POSTed by a goroutine of the server that looks every few
// milliseconds of real time (it stops in Close), so they arrive shortly after
// the status is reached, not during the request that observes it: a test
// waits for its receiver (a channel, with a bound), and Stats counts
// WebhooksDelivered and WebhookFailures. The body is
// {event_id, event, job_id, status, project_id, timestamp}, as a JSON string
// or, with output format "json", an object, and carries LC-Signature when the
// webhook has a signing secret.
//
// # Faults and counters
//
// InjectFault makes matching requests fail: status codes with Retry-After
// or retry-after-ms, connections dropped before or after the request is
// processed, truncated bodies, latency. Fault.Operation and Stats.Requests
// use the operation names of openapi.yaml, exported as the Op constants
// (OpCreateExtractJob, OpGetExtractJob, ...). WithCreateRateLimit adds the
// service's token-bucket limit on job creation.
//
// The package never imports the wrapper, so the wrapper's own tests can use
// it.
package extracttest
