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
// *InvalidResponseError.
//
// # Retries
//
// Below the generated client, failed requests are retried (default 2 times)
// on connection errors, 408, 409, 429 and 5xx, with exponential backoff and
// jitter (0.5 s doubling, at most 8 s), honouring retry-after-ms, Retry-After
// and x-should-retry. A job-creating request is retried only when it cannot
// have reached the service; after an ambiguous failure the client finds and
// adopts the job the attempt created, so a job is never duplicated.
//
// # Batches
//
// ExtractAll (files) and RunAll (create requests) run many jobs and stream
// each result as it finishes, through an iter.Seq2 whose error is that
// item's failure; nothing is collected, so memory stays flat in the number
// of inputs. Creates are paced by an adaptive rate that starts at the
// service's documented 15 per second, drops on every burst of 429s and
// climbs back while creates queue; a 429 proves no job was made, so the
// refused create waits its turn again and never fails an item. Waits are
// bounded separately (WithConcurrency). A failure every document would
// share (a refused key, a network outage) stops the batch: the last pair
// then has an error matching ErrBatchStopped.
//
// With WithState (or NewBatch) a batch is resumable: every step of every
// document is journaled, fsynced, before it is relied on, and running the
// same batch again after any interruption, kill -9 included, does each
// document exactly once, with one job per document. WithDrain stops
// creating and lets running jobs finish.
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
