package wrapper

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"

	"github.com/extract-go/llamaextract"
)

// The hot paths (GetJob, CancelJob, ListJobs, Jobs, GetResult) decode jobs
// into respWire in the same pass as the body and convert, instead of going
// through Job.UnmarshalJSON: as a json.Unmarshaler, every job would be scanned once
// to find its end and then parsed again from scratch by the inner
// json.Unmarshal, and listing 10,000 jobs cost 1.6x the bytes and 2.1x the
// allocations of plain encoding/json with the same laziness (issue 14).

// respWire is a job as an API response carries it: jobWire, but with the
// configuration decoded in the same pass, straight into the ExtractConfig
// the Job will point to, rather than kept raw and parsed again, which cost
// a second copy and a second parse of every job's configuration. The job
// then holds no raw configuration; MarshalJSON encodes Configuration. The
// nullable strings are plain strings: null leaves them empty, which is
// what Job holds for absent, and a pointer would be one more allocation
// per job.
type respWire[R any] struct {
	ID              string            `json:"id"`
	Status          Status            `json:"status"`
	FileInput       string            `json:"file_input"`
	ConfigurationID string            `json:"configuration_id"`
	ProjectID       string            `json:"project_id"`
	ErrorMessage    string            `json:"error_message"`
	CreatedAt       llamaextract.Time `json:"created_at"`
	UpdatedAt       llamaextract.Time `json:"updated_at"`
	Configuration   *configDecode     `json:"configuration"`
	ExtractResult   R                 `json:"extract_result"`
	ExtractMetadata json.RawMessage   `json:"extract_metadata"`
	Metadata        json.RawMessage   `json:"metadata"`
	Usage           json.RawMessage   `json:"usage"`
}

func (w *respWire[R]) validate() error {
	if w == nil { // a null in a page's items
		return errors.New("null job")
	}
	return validJob(w.ID, w.Status)
}

// fill sets j to the job w holds. j shares w's strings, raw values and
// configuration, not w's own memory, so w may be reused afterwards.
func (w *respWire[R]) fill(j *Job) {
	*j = Job{
		ID: w.ID, Status: w.Status, FileInput: w.FileInput, ProjectID: w.ProjectID,
		CreatedAt: w.CreatedAt.Time, UpdatedAt: w.UpdatedAt.Time,
		ConfigurationID: w.ConfigurationID, ErrorMessage: w.ErrorMessage,
		Configuration:   (*ExtractConfig)(w.Configuration),
		extractMetadata: present(w.ExtractMetadata),
		metadata:        present(w.Metadata),
		usage:           present(w.Usage),
	}
	if raw, ok := any(w.ExtractResult).(json.RawMessage); ok {
		j.result = present(raw)
	}
}

// job returns a new Job holding what w holds.
func (w *respWire[R]) job() *Job {
	j := new(Job)
	w.fill(j)
	return j
}

// requestJob sends a request whose answer is one job. The wire value it
// decodes into, and the buffer it reads the body into, are pooled per Client, so a GET of a job allocates the Job
// it returns and what the body's JSON holds, not the wire value beside
// them: waits poll with this GET, and the wire value was a fifth of what
// the call allocated beyond plain net/http and encoding/json (issue 14).
func requestJob(ctx context.Context, c *Client, op string, id pathID, send func(context.Context) (*http.Response, error)) (*Job, error) {
	if id.field != "" {
		if err := checkID(op, id.field, id.value); err != nil {
			return nil, err
		}
	}
	d, _ := c.jobWires.Get().(*jobDecoder)
	if d == nil {
		d = new(jobDecoder)
	}
	defer func() {
		// Zero the decoded values, so that none stays reachable from the
		// pool and the next decode starts from nothing (encoding/json
		// decodes into what a value already holds). The raw body stays in
		// the buffer until the next answer is read into it (or a garbage
		// collection empties the pool).
		d.respWire = respWire[json.RawMessage]{}
		c.jobWires.Put(d)
	}()
	if err := c.call(ctx, op, send, d); err != nil {
		return nil, err
	}
	return d.job(), nil
}

// jobDecoder is what requestJob decodes into: the wire value (its members
// promoted, so encoding/json fills them) and the buffer the body was read
// into, lent to the next answer (see bodyReuser): a wait reads all its
// polls into one buffer.
type jobDecoder struct {
	respWire[json.RawMessage]
	body []byte
}

func (d *jobDecoder) reuseBody() []byte { return d.body }

func (d *jobDecoder) keepBody(b []byte) {
	if cap(b) <= maxReusedBody {
		d.body = b
	}
}
