// Package wrapper is the LlamaCloud Extract client: typed end to end, it
// uploads, creates, waits, pages, retries and decodes so that callers never
// write those loops.
//
// # Creating a client
//
// New reads the API key from WithAPIKey, else LLAMA_CLOUD_API_KEY, else
// LLAMA_PARSE_API_KEY, and fails at once when there is none. The base URL
// comes from WithBaseURL, else LLAMA_CLOUD_BASE_URL, else DefaultBaseURL
// (WithEURegion for the EU host). A Client is safe for concurrent use; make
// one and share it.
//
//	client, err := wrapper.New()
//
// # Extracting
//
// Extract goes from a file on disk to a Go value in one call: it uploads the
// file, creates a job with a schema derived from the type (SchemaFor), waits
// and decodes. ExtractRows does the same for per_table_row and per_page
// results.
//
//	inv, job, err := wrapper.Extract[Invoice](ctx, client, "invoice.pdf")
//
// Lower down, UploadFile, CreateJob, Wait, Run (create + wait) and the
// configuration and file methods map one to one onto the API's operations.
//
// # Waiting
//
// Wait polls until the job finishes: COMPLETED returns the job, FAILED or
// CANCELLED returns a *JobError. The default schedule checks after 1 s, then
// 1 s longer each time, at most 5 s apart; WithSchedule takes a
// LinearSchedule, ExponentialSchedule or FixedSchedule. OnStatus reports
// progress; the context bounds the wait, and CancelOnDone cancels the remote
// job when it ends early.
//
// # Paging
//
// Jobs returns an iterator over every matching job (iter.Seq2[Job, error]),
// fetching one page at a time; ListJobs returns a single page.
//
// # Results
//
// Job.Result returns the extract_result as a Result: Kind says whether it is
// an object (per_doc) or an array (per_page, per_table_row), decided from the
// JSON. DecodeResult[T] and DecodeRows[T] decode it once, straight into your
// type; a shape that does not fit is a *ShapeError. Job.Metadata gives
// citations and confidence scores by field path ("items[0].amount").
//
// # Errors
//
// A non-2xx answer is an *APIError carrying the operation, status, detail,
// request ID and (capped) body; errors.Is matches ErrNotFound,
// ErrUnauthorized, ErrRateLimited and the other sentinels. A 422 (the
// request failed the service's validation) also carries Issues, one
// FieldIssue per failing value with its field path, and its message names
// the first one; a 400 is a rule of the service, explained in Detail.
// Requests that are wrong before sending are *ValidationError naming the field and the fix;
// network failures are *ConnectionError; unusable answers are
// *InvalidResponseError (a 2xx that is not a job, such as null or {}, is
// one); a create that may or may not have made a job on a shared file is
// an *AmbiguousCreateError. No error, log line or Job field carries the
// API key: everything the server sends is scrubbed of it, whether echoed
// as is, JSON-escaped, URL-encoded or cut short.
//
// # Retries
//
// One layer retries every request (default 2 retries, so at most 3
// attempts per call) on connection errors, 408, 409, 429 and 5xx, with
// exponential backoff and jitter (0.5 s doubling, at most 8 s), honouring
// retry-after-ms, Retry-After and x-should-retry. Each attempt is bounded by
// WithRequestTimeout (60 s, more for uploads). A job-creating request is
// sent again only when it provably made no job; after an ambiguous failure
// CreateJob adopts a job only on a file the call owns
// (CreateJobRequest.OwnsFile, set by Extract and ExtractAll), and otherwise
// returns an *AmbiguousCreateError listing the jobs that may be the call's.
// See CreateJob for the exact rule.
//
// # Batches
//
// RunAll and ExtractAll run many jobs with bounded concurrency and a
// client-side limit on creates (10 per second by default; LlamaCloud answers
// 429 at about 15), and return one result per input, in input order, each a
// value or an error saying why. Cancelling the context stops new creates;
// CancelOnDone cancels the jobs still running.
//
// # Webhooks
//
// Package webhook verifies LC-Signature headers and parses deliveries;
// webhook.Handler adapts a callback into an http.Handler.
//
// # Testing with extracttest
//
// Package extracttest is an in-memory LlamaCloud, like net/http/httptest.
// Point a client at it and test without a network or a key:
//
//	srv := extracttest.NewTestServer(t)
//	client, _ := wrapper.New(wrapper.WithBaseURL(srv.URL), wrapper.WithAPIKey("test"))
package wrapper
