// Package wrapper is the LlamaCloud Extract client: typed end to end, it
// uploads, creates, waits, pages, retries and decodes so that callers never
// write those loops, and its types are hand-written Go (the generated
// client stays underneath, reachable only through the Generated escape
// hatches).
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
// # Options
//
// New takes Options (WithAPIKey, WithRetryPolicy, WithClock...). A call
// takes the options of its family last: GetOption (GetJob, GetResult,
// Rows), ListOption (ListJobs, Jobs), WaitOption (Wait, Run), ExtractOption
// (Extract, ExtractRows) and UploadOption (UploadFile, Upload). Each option
// constructor returns a type that is an option of exactly the families
// that read it, so an option passed to a call that would ignore it does
// not compile: WithExpand works everywhere a job is read, WithSchedule,
// OnStatus, WithCancelOnDone and WithWaitTimeout wherever a call waits,
// WithoutResult only for Wait and Run, WithPurpose for uploads and
// Extract, WithExternalID for uploads. What a call acts on (the job to
// create, its webhooks, the filter of a list) is a struct argument, never
// an option. Every call returns its value first, then the job, then the
// error.
//
// # Extracting
//
// Extract goes from a file on disk (or an uploaded file's ID) to a Go value
// in one call: it uploads the file, creates a job, waits and decodes. The
// configuration is an ExtractConfig, whose zero Schema is derived from the
// type (SchemaFor), or a SavedConfig naming one saved with
// CreateConfiguration. ExtractRows does the same for per_table_row and
// per_page results, batch.ExtractAll (package wrapper/batch) for many documents.
//
//	inv, job, err := wrapper.Extract[Invoice](ctx, client, "invoice.pdf", wrapper.ExtractConfig{CiteSources: true})
//	inv, job, err := wrapper.Extract[Invoice](ctx, client, "invoice.pdf", wrapper.SavedConfig{ID: "cfg-..."})
//
// Lower down, UploadFile, CreateJob, Wait, Run (create + wait), GetJob,
// CancelJob, DeleteJob, ValidateSchema, GenerateSchema and the file and
// configuration methods map one to one onto the API's operations.
//
// # Waiting
//
// Wait polls until the job finishes: COMPLETED returns the job, FAILED or
// CANCELLED returns a *JobError. DefaultSchedule checks after 1 s, then 1 s
// longer each time, at most 5 s apart; WithSchedule takes a LinearSchedule,
// ExponentialSchedule or FixedSchedule. OnStatus reports progress; the
// context and WithWaitTimeout bound the wait, and WithCancelOnDone cancels
// the remote job when the wait ends first. Every pause is taken on the
// client's Clock (WithClock).
//
// # Paging
//
// Every list is an iterator that fetches pages as the loop needs them:
// Jobs, Files and Configurations, each an iter.Seq2 of the item and an
// error. ListJobs, ListFiles and ListConfigurations return a single
// ListPage, starting at the filter's PageToken. A server that sends a page
// token twice in one listing (a cycle of any length) ends it with an
// *InvalidResponseError instead of looping forever; one that sends ever new
// tokens with items lists until the loop breaks or ctx ends.
//
// # Results
//
// A job's extract_result is kept as the JSON the server sent and decoded
// once, straight into your type: Decode[T] for a job in hand, GetResult[T]
// to fetch and decode in one pass. T is a struct or map for per_doc (one
// object), a slice for per_page and per_table_row (an array); a shape that
// does not fit is a *ShapeError saying what arrived. Job.Metadata gives
// citations and confidence scores by field path ("items[0].amount");
// Job.Usage gives credits and page counts.
//
// Rows[T] streams a per_table_row or per_page result one row at a time
// straight from the response body (iter.Seq2[Row[T], error]), so a result
// larger than memory can be read: memory follows the largest row, not the
// result. With WithExpand(ExpandExtractMetadata) each Row carries its own
// citations and confidence.
//
// # Errors
//
// Every error text starts with "llamaextract: ". A non-2xx answer is an
// *APIError carrying the operation, status, detail, request ID and (capped)
// body; errors.Is matches ErrNotFound, ErrUnauthorized, ErrRateLimited and
// the other sentinels. A 422 (the request failed the service's validation)
// also carries Issues, one FieldIssue per failing value with its field
// path, and its message names the first one; a 400 is a rule of the
// service, explained in Detail. Requests that are wrong before sending are
// *ValidationError naming the field and the fix (errors.Is
// ErrInvalidRequest); network failures are *ConnectionError; unusable
// answers are *InvalidResponseError (a 2xx that is not a job, such as null
// or {}, is one); a create that may or may not have made a job on a shared
// file is an *AmbiguousCreateError; a file that cannot be opened is the os
// package's *fs.PathError. No error, log line or Job field carries the API
// key: everything the server sends is scrubbed of it, whether echoed as is,
// JSON-escaped, URL-encoded or cut short, in a body, a header value or a
// header name (compared without case, as net/http changes a name's case).
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
// (CreateJobRequest.OwnsFile, set by Extract and batch.ExtractAll), and otherwise
// returns an *AmbiguousCreateError listing the jobs that may be the call's.
// See CreateJob for the exact rule.
//
// # Batches
//
// Package wrapper/batch runs many jobs with one Client and streams each
// result as it finishes (batch.ExtractAll for files, batch.RunAll for create
// requests), at the service's rate limit, resumable after any interruption
// (batch.WithState). It uses only this package's exported API.
//
// # Webhooks
//
// CreateJobRequest.Webhooks (for CreateJob, Run and batch.RunAll) asks
// LlamaCloud to notify endpoints as a job changes status; to have a file
// on disk extracted with webhooks, upload it with UploadFile and call Run.
// Package webhook verifies LC-Signature headers and parses deliveries;
// webhook.Handler adapts a callback into an http.Handler.
//
// # Testing with extracttest
//
// Package extracttest is an in-memory LlamaCloud, like net/http/httptest.
// Give the emulator and the client one auto-advancing FakeClock and a job
// that takes ten minutes finishes in milliseconds, with no sleep and no
// second goroutine:
//
//	clock := extracttest.NewFakeClock(time.Now())
//	clock.SetAutoAdvance(true)
//	srv := extracttest.NewTestServer(t, extracttest.WithClock(clock), extracttest.WithJobDuration(10*time.Minute))
//	client, _ := wrapper.New(wrapper.WithBaseURL(srv.URL), wrapper.WithAPIKey("test"), wrapper.WithClock(clock))
//
// A job kept from elsewhere (a fixture, a store) decodes from the API's
// JSON with json.Unmarshal into a Job.
package wrapper
