package extracttest

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/extract-go/llamaextract/generated"
)

// Status is a job status the emulator serves. It is its own type, not
// wrapper.Status, because extracttest must not import wrapper (the wrapper's
// tests import extracttest); the values are the same strings. A value
// without a constant is served as is, to test how a client copes with a
// status it does not know.
type Status string

// The job statuses the API documents. A job passes through its Steps
// (usually StatusPending, StatusThrottled, StatusRunning), then ends
// StatusCompleted, StatusFailed (Outcome.Error) or StatusCancelled.
const (
	StatusPending   Status = "PENDING"
	StatusThrottled Status = "THROTTLED"
	StatusRunning   Status = "RUNNING"
	StatusCompleted Status = "COMPLETED"
	StatusFailed    Status = "FAILED"
	StatusCancelled Status = "CANCELLED"
)

// Step is one status a job holds for a while before moving on.
type Step struct {
	Status Status
	For    time.Duration
}

// DefaultSchedule is PENDING for a quarter of d, then RUNNING for the rest.
func DefaultSchedule(d time.Duration) []Step {
	return []Step{{Status: StatusPending, For: d / 4}, {Status: StatusRunning, For: d - d/4}}
}

// Outcome scripts how a job behaves. The zero Outcome is the default: the
// server's schedule, then COMPLETED with a result derived from the document
// and data_schema.
type Outcome struct {
	// Steps replaces the server's schedule when non-nil.
	Steps []Step
	// Result replaces the synthetic extract_result: a JSON object for per_doc
	// or an array of objects for per_page / per_table_row.
	Result json.RawMessage
	// Error makes the job end FAILED with this error_message.
	Error string
}

type state struct {
	transport *http.Transport
	rng       *rand.Rand
	seq       int64

	jobs     map[string]*job
	jobOrder []*job // by seq, oldest first; deleted jobs are removed

	files     map[string]*file
	fileOrder []*file

	configs     map[string]*savedConfig
	configOrder []*savedConfig

	parseJobs   map[string]bool
	fileScripts map[string]Outcome
	createdFor  map[string]int
}

func newState() state {
	return state{
		rng:         newRNG(1),
		jobs:        map[string]*job{},
		files:       map[string]*file{},
		configs:     map[string]*savedConfig{},
		parseJobs:   map[string]bool{},
		fileScripts: map[string]Outcome{},
		createdFor:  map[string]int{},
	}
}

// newID returns prefix + a UUID-shaped random hex string. Callers hold s.mu.
func (st *state) newID(prefix string) string {
	a, b := st.rng.Uint64(), st.rng.Uint64()
	h := fmt.Sprintf("%016x%016x", a, b)
	return prefix + h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}

type job struct {
	seq       int64
	id        string
	created   time.Time
	projectID string
	fileInput string
	config    generated.ExtractConfiguration
	configID  *string
	outcome   Outcome
	cancelled time.Time // zero unless cancelled
	webhooks  *webhookState

	// computed once on completion
	result   json.RawMessage
	metadata *generated.ExtractJobMetadata
	pages    int
	usage    generated.ExtractJobUsage
}

// statusAt returns the job's status at now and when it entered it.
func (j *job) statusAt(now time.Time, def []Step) (string, time.Time) {
	if !j.cancelled.IsZero() && !now.Before(j.cancelled) {
		return "CANCELLED", j.cancelled
	}
	steps := j.outcome.Steps
	if steps == nil {
		steps = def
	}
	t := j.created
	for _, st := range steps {
		if now.Before(t.Add(st.For)) {
			return string(st.Status), t
		}
		t = t.Add(st.For)
	}
	if j.outcome.Error != "" {
		return "FAILED", t
	}
	return "COMPLETED", t
}

func terminal(status string) bool {
	return status == "COMPLETED" || status == "FAILED" || status == "CANCELLED"
}

type file struct {
	seq        int64
	id         string
	name       string
	projectID  string
	purpose    string
	externalID *string
	content    []byte
	created    time.Time
}

func (f *file) fileType() *string {
	i := strings.LastIndexByte(f.name, '.')
	if i < 0 || i == len(f.name)-1 {
		return nil
	}
	t := strings.ToLower(f.name[i+1:])
	return &t
}

type savedConfig struct {
	id          string
	name        string
	projectID   string
	productType generated.ProductType
	parameters  generated.Parameters
	created     time.Time
	updated     time.Time
}

// AddFile stores a document as if it had been uploaded with purpose
// "extract" and returns its dfl- ID.
func (s *Server) AddFile(name string, content []byte) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.addFileLocked(name, "extract", nil, content, s.cfg.projectID).id
}

func (s *Server) addFileLocked(name, purpose string, externalID *string, content []byte, project string) *file {
	s.st.seq++
	f := &file{seq: s.st.seq, id: s.st.newID("dfl-"), name: name, purpose: purpose, externalID: externalID,
		content: content, created: s.now(), projectID: project}
	s.st.files[f.id] = f
	s.st.fileOrder = append(s.st.fileOrder, f)
	return f
}

// AddParseJob registers a completed parse job and returns its pjb- ID, so it
// can be used as file_input.
func (s *Server) AddParseJob() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	id := s.st.newID("pjb-")
	s.st.parseJobs[id] = true
	return id
}

// ScriptFile makes every job created from fileInput (a dfl- or pjb- ID)
// follow o.
func (s *Server) ScriptFile(fileInput string, o Outcome) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.st.fileScripts[fileInput] = o
}

// ScriptJob replaces the outcome of an existing job; its steps count from
// the job's creation. It reports whether the job exists.
func (s *Server) ScriptJob(jobID string, o Outcome) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	j := s.st.jobs[jobID]
	if j == nil {
		return false
	}
	j.outcome = o
	j.result, j.metadata = nil, nil
	return true
}

// JobsCreatedFor counts the jobs ever created with this file_input, deleted
// ones included: the number a retrying client must keep at one.
func (s *Server) JobsCreatedFor(fileInput string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.st.createdFor[fileInput]
}

func sortStrings(s []string) { slices.Sort(s) }
