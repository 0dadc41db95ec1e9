package extracttest

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/extract-go/llamaextract"
	"github.com/extract-go/llamaextract/generated"
	"github.com/extract-go/llamaextract/internal/schemacheck"
	"github.com/getkin/kin-openapi/openapi3"
)

const (
	defaultPageSize = 50
	maxPageSize     = 1000
)

func (s *Server) routes() map[string]opHandler {
	return map[string]opHandler{
		"CreateExtractJob":      s.createJob,
		"ListExtractJobs":       s.listJobs,
		"GetExtractJob":         s.getJob,
		"DeleteExtractJob":      s.deleteJob,
		"CancelExtractJob":      s.cancelJob,
		"ValidateExtractSchema": s.validateSchema,
		"GenerateExtractSchema": s.generateSchema,
		"UploadFile":            s.uploadFile,
		"ListFiles":             s.listFiles,
		"QueryFiles":            s.queryFiles,
		"GetFile":               s.getFile,
		"DeleteFile":            s.deleteFile,
		"GetFileContent":        s.getFileContent,
		"CreateConfiguration":   s.createConfig,
		"ListConfigurations":    s.listConfigs,
		"GetConfiguration":      s.getConfig,
		"UpdateConfiguration":   s.updateConfig,
		"DeleteConfiguration":   s.deleteConfig,
	}
}

// project returns the project a request acts in.
func (s *Server) project(r *http.Request) string {
	if p := r.URL.Query().Get("project_id"); p != "" {
		return p
	}
	return s.cfg.projectID
}

func decodeBody(r *http.Request, v any) error {
	dec := json.NewDecoder(r.Body)
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("body is not valid JSON: %w", err)
	}
	return nil
}

func (s *Server) createJob(rec *recorder, r *http.Request, _ *openapi3.Operation) {
	var body generated.ExtractV2JobCreate
	if err := decodeBody(r, &body); err != nil {
		rec.json(http.StatusBadRequest, errBody(err.Error()))
		return
	}
	project := s.project(r)
	if (body.Configuration == nil) == (body.ConfigurationId == nil) {
		rec.json(http.StatusBadRequest, errBody("configuration, configuration_id: provide exactly one: an inline configuration or the ID of a saved one"))
		return
	}
	if body.Configuration != nil {
		if !checkParseTier(rec, body.Configuration.ParseTier, "body", "configuration") {
			return
		}
		raw, _ := json.Marshal(body.Configuration.DataSchema)
		if err := schemacheck.Check(raw); err != nil {
			rec.json(http.StatusBadRequest, errBody("configuration."+err.Error()))
			return
		}
	}
	if !strings.HasPrefix(body.FileInput, "dfl-") && !strings.HasPrefix(body.FileInput, "pjb-") {
		rec.json(http.StatusBadRequest, errBody(fmt.Sprintf("file_input: %q is neither a file ID (dfl-...) nor a parse job ID (pjb-...)", body.FileInput)))
		return
	}
	if !s.allowCreate(rec) {
		return
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	j := &job{created: s.now(), projectID: project, fileInput: body.FileInput}
	if body.ConfigurationId != nil {
		c := s.st.configs[*body.ConfigurationId]
		if c == nil || c.projectID != project {
			rec.json(http.StatusNotFound, errBody(fmt.Sprintf("configuration_id: no saved configuration %s in project %s", *body.ConfigurationId, project)))
			return
		}
		p, err := c.parameters.AsExtractV2Parameters()
		if c.productType != generated.ProductTypeExtractV2 || err != nil {
			rec.json(http.StatusBadRequest, errBody(fmt.Sprintf("configuration_id: %s is a %s configuration, not extract_v2", c.id, c.productType)))
			return
		}
		j.config = extractConfigFromParams(p)
		id := c.id
		j.configID = &id
	} else {
		j.config = *body.Configuration
	}
	if strings.HasPrefix(body.FileInput, "dfl-") {
		f := s.st.files[body.FileInput]
		if f == nil || f.projectID != project {
			rec.json(http.StatusNotFound, errBody(fmt.Sprintf("file_input: no file %s in project %s; upload it first (POST /api/v1/beta/files)", body.FileInput, project)))
			return
		}
	}
	j.outcome = s.st.fileScripts[body.FileInput]
	if _, scripted := s.st.fileScripts[body.FileInput]; !scripted && s.cfg.failRatio > 0 && s.st.rng.Float64() < s.cfg.failRatio {
		j.outcome.Error = "scripted failure (WithFailRatio)"
	}
	if strings.HasPrefix(body.FileInput, "pjb-") && !s.st.parseJobs[body.FileInput] && j.outcome.Error == "" {
		// The service accepts the job and fails it when the parse job
		// cannot be read.
		j.outcome = Outcome{Steps: j.outcome.Steps, Error: fmt.Sprintf("parse job %s not found or not completed", body.FileInput)}
	}
	s.st.seq++
	j.seq = s.st.seq
	j.id = s.st.newID("ext-")
	s.st.jobs[j.id] = j
	s.st.jobOrder = append(s.st.jobOrder, j)
	s.st.createdFor[j.fileInput]++
	s.stats.JobsCreated++
	if body.WebhookConfigurations != nil && len(*body.WebhookConfigurations) > 0 {
		j.webhooks = &webhookState{configs: *body.WebhookConfigurations}
		s.startPumpLocked()
	}
	rec.json(http.StatusOK, s.jobViewLocked(j, nil))
}

// extractConfigFromParams converts through JSON: ExtractV2Parameters is
// ExtractConfiguration plus product_type, and a field-by-field copy would
// silently drop fields the spec gains later.
func extractConfigFromParams(p generated.ExtractV2Parameters) generated.ExtractConfiguration {
	var cfg generated.ExtractConfiguration
	if b, err := json.Marshal(p); err == nil {
		_ = json.Unmarshal(b, &cfg)
	}
	return cfg
}

type expandSet map[string]bool

func parseExpand(q url.Values) expandSet {
	out := expandSet{}
	for _, v := range q["expand"] {
		for _, part := range strings.Split(v, ",") {
			out[strings.TrimSpace(part)] = true
		}
	}
	return out
}

// jobViewLocked renders a job as the API shows it now. Callers hold s.mu.
func (s *Server) jobViewLocked(j *job, expand expandSet) generated.ExtractV2Job {
	now := s.now()
	status, since := j.statusAt(now, s.cfg.schedule)
	v := generated.ExtractV2Job{
		Id: j.id, CreatedAt: llamaextract.NewTime(j.created), UpdatedAt: llamaextract.NewTime(since),
		FileInput: j.fileInput, ProjectId: j.projectID, Status: status, ConfigurationId: j.configID,
	}
	if expand["configuration"] {
		cfg := j.config
		if cfg.Version == nil && cfg.ExtractVersion == nil {
			// Jobs report the concrete release they ran with.
			ver := "2026-01-08"
			cfg.Version = &ver
		}
		v.Configuration = &cfg
	}
	switch status {
	case "FAILED":
		msg := j.outcome.Error
		v.ErrorMessage = &msg
	case "COMPLETED":
		s.completeLocked(j)
		var res generated.ExtractResult
		_ = res.UnmarshalJSON(j.result)
		v.ExtractResult = &res
		usage := j.usage
		v.Metadata = &generated.JobMetadata{Usage: &usage}
		if expand["extract_metadata"] || boolVal(j.config.CiteSources) || boolVal(j.config.ConfidenceScores) {
			v.ExtractMetadata = j.metadata
		}
	}
	if expand["usage"] {
		u := generated.JobUsage{}
		if status == "COMPLETED" {
			rate := tierCredits(j.config.Tier)
			total := float64(j.pages) * rate
			parse := float64(j.pages)
			extract := total - parse
			u.Credits, u.ExtractCredits, u.ParseCredits = &total, &extract, &parse
		}
		v.Usage = &u
	}
	return v
}

func tierCredits(t *generated.ExtractTier) float64 {
	if t == nil {
		return 5
	}
	switch *t {
	case generated.ExtractTierAgentic:
		return 15
	case generated.ExtractTierAgenticPlus:
		return 50
	case generated.ExtractTierTurbo:
		return 35
	}
	return 5
}

func boolVal(b *bool) bool { return b != nil && *b }

func (s *Server) lookupJob(rec *recorder, r *http.Request) *job {
	return lookup(s, rec, r, "job_id", "extract job", s.st.jobs, func(j *job) string { return j.projectID })
}

// lookup finds the object named by a path parameter in the request's
// project, or writes a 404 naming it. Callers hold s.mu.
func lookup[T any](s *Server, rec *recorder, r *http.Request, param, kind string, items map[string]*T, project func(*T) string) *T {
	id := r.PathValue(param)
	v := items[id]
	if v == nil || project(v) != s.project(r) {
		rec.json(http.StatusNotFound, errBody(fmt.Sprintf("%s: no %s %s in project %s", param, kind, id, s.project(r))))
		return nil
	}
	return v
}

func (s *Server) getJob(rec *recorder, r *http.Request, _ *openapi3.Operation) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if j := s.lookupJob(rec, r); j != nil {
		rec.json(http.StatusOK, s.jobViewLocked(j, parseExpand(r.URL.Query())))
	}
}

func (s *Server) cancelJob(rec *recorder, r *http.Request, _ *openapi3.Operation) {
	s.mu.Lock()
	defer s.mu.Unlock()
	j := s.lookupJob(rec, r)
	if j == nil {
		return
	}
	now := s.now()
	if status, _ := j.statusAt(now, s.cfg.schedule); terminal(status) {
		rec.json(http.StatusBadRequest, errBody(fmt.Sprintf("job %s is already %s; only PENDING, THROTTLED or RUNNING jobs can be cancelled", j.id, status)))
		return
	}
	j.cancelled = now
	rec.json(http.StatusOK, s.jobViewLocked(j, nil))
}

func (s *Server) deleteJob(rec *recorder, r *http.Request, _ *openapi3.Operation) {
	s.mu.Lock()
	defer s.mu.Unlock()
	j := s.lookupJob(rec, r)
	if j == nil {
		return
	}
	if status, _ := j.statusAt(s.now(), s.cfg.schedule); !terminal(status) {
		rec.json(http.StatusBadRequest, errBody(fmt.Sprintf("job %s is %s; cancel it and wait for a terminal status before deleting it", j.id, status)))
		return
	}
	delete(s.st.jobs, j.id)
	i := sort.Search(len(s.st.jobOrder), func(i int) bool { return s.st.jobOrder[i].seq >= j.seq })
	if i < len(s.st.jobOrder) && s.st.jobOrder[i] == j {
		s.st.jobOrder = slices.Delete(s.st.jobOrder, i, i+1)
	}
	rec.json(http.StatusOK, struct{}{})
}

// Page tokens are opaque to clients: the sequence number of the last item
// served. Items are ordered by sequence, newest first, so jobs created while
// a client pages (which get higher numbers) never shift later pages.
func encodeToken(seq int64) string {
	return base64.RawURLEncoding.EncodeToString([]byte("seq:" + strconv.FormatInt(seq, 10)))
}

func decodeToken(tok string) (int64, error) {
	b, err := base64.RawURLEncoding.DecodeString(tok)
	if err == nil {
		if n, ok := bytes.CutPrefix(b, []byte("seq:")); ok {
			if seq, err := strconv.ParseInt(string(n), 10, 64); err == nil && seq > 0 {
				return seq, nil
			}
		}
	}
	return 0, fmt.Errorf("page_token: %q is not a token this server issued; pass next_page_token from the previous page unchanged", tok)
}

// pageSize reads page_size as the service documents it (Google AIP-158, the
// convention the SDKs' docs quote): omitted or 0 is the default, above the
// maximum is lowered to it, negative is refused with 400. The type was
// checked against openapi.yaml before, so a value that is not an integer
// never gets here.
func pageSize(rec *recorder, n *int) (int, bool) {
	switch {
	case n == nil || *n == 0:
		return defaultPageSize, true
	case *n < 0:
		rec.json(http.StatusBadRequest, errBody(fmt.Sprintf("page_size: %d is negative; send a positive size, or 0 or nothing for the default (%d)", *n, defaultPageSize)))
		return 0, false
	}
	return min(*n, maxPageSize), true
}

// queryInt reads an integer query parameter already validated as one; nil
// when it is absent.
func queryInt(q url.Values, name string) *int {
	n, err := strconv.Atoi(q.Get(name))
	if err != nil {
		return nil
	}
	return &n
}

func (s *Server) listJobs(rec *recorder, r *http.Request, _ *openapi3.Operation) {
	q := r.URL.Query()
	f, err := parseJobQuery(q)
	if err != nil {
		rec.json(http.StatusBadRequest, errBody(err.Error()))
		return
	}
	project := s.project(r)
	size, ok := pageSize(rec, queryInt(q, "page_size"))
	if !ok {
		return
	}
	expand := parseExpand(q)

	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	order := s.st.jobOrder
	end := len(order)
	if f.before > 0 {
		end = sort.Search(len(order), func(i int) bool { return order[i].seq >= f.before })
	}
	page := generated.ExtractV2JobQueryResponse{Items: []generated.ExtractV2Job{}}
	var last int64
	for i := end - 1; i >= 0; i-- {
		j := order[i]
		if j.projectID != project || !f.matches(j) {
			continue
		}
		if f.status != "" {
			if st, _ := j.statusAt(now, s.cfg.schedule); st != f.status {
				continue
			}
		}
		if len(page.Items) == size {
			// Another match exists beyond this page.
			tok := encodeToken(last)
			page.NextPageToken = &tok
			break
		}
		page.Items = append(page.Items, s.jobViewLocked(j, expand))
		last = j.seq
	}
	rec.json(http.StatusOK, page)
}

// jobQuery is the filter of a list of jobs, as its query parameters say.
type jobQuery struct {
	before            int64 // from the page token: jobs before this seq; -1 for the first page
	after, until      time.Time
	fileInput, prefix string
	noKind            bool // a document_input_type no job has
	ids               []string
	status, configID  string
}

// parseJobQuery reads a list's filter; an error is the 400's message.
func parseJobQuery(q url.Values) (jobQuery, error) {
	f := jobQuery{before: -1, fileInput: q.Get("file_input"), ids: q["job_ids"], status: q.Get("status"), configID: q.Get("configuration_id")}
	if tok := q.Get("page_token"); tok != "" {
		seq, err := decodeToken(tok)
		if err != nil {
			return f, err
		}
		f.before = seq
	}
	for name, dst := range map[string]*time.Time{"created_at_on_or_after": &f.after, "created_at_on_or_before": &f.until} {
		if v := q.Get(name); v != "" {
			t, err := parseQueryTime(v)
			if err != nil {
				return f, fmt.Errorf("%s: %w", name, err)
			}
			*dst = t
		}
	}
	if f.fileInput == "" {
		f.fileInput = q.Get("document_input_value")
	}
	// document_input_type is an open string in the official SDKs and no
	// refusal is documented: a kind no job has matches no job.
	switch q.Get("document_input_type") {
	case "":
	case "file_id":
		f.prefix = "dfl-"
	case "parse_job_id":
		f.prefix = "pjb-"
	default:
		f.noKind = true
	}
	return f, nil
}

// matches reports whether j passes every filter but the status, which
// depends on the time.
func (f jobQuery) matches(j *job) bool {
	return !f.noKind &&
		(f.fileInput == "" || j.fileInput == f.fileInput) &&
		(f.prefix == "" || strings.HasPrefix(j.fileInput, f.prefix)) &&
		(f.configID == "" || (j.configID != nil && *j.configID == f.configID)) &&
		(len(f.ids) == 0 || slices.Contains(f.ids, j.id)) &&
		(f.after.IsZero() || !j.created.Before(f.after)) &&
		(f.until.IsZero() || !j.created.After(f.until))
}
