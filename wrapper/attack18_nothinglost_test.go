package wrapper_test

// Attack on issue 18, promise 2 ("Nothing lost"): a Job (and a File, a
// SavedConfig) decoded and encoded again keeps every member a server sent,
// at any depth, whatever call decoded it; Generated sees them. The server
// here is hostile: unknown members, nulls, huge numbers, escapes, invalid
// UTF-8 and repeated keys.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"math"
	"net/http"
	"net/http/httptest"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/extract-go/llamaextract/wrapper"
)

// hostileConfig is an inline configuration with nulls where the wrapper
// models a member, and members it does not know.
const hostileConfig = `{"data_schema":{"type":"object","properties":{"a":{"type":"string","maximum":12345678901234567890}}},` +
	`"tier":"agentic","max_pages":null,"system_prompt":null,"target_pages":null,` +
	`"output_language":"fr","cfg_new":{"deep":[1,{"x":null}],"n":1e400}}`

// hostileJob is a job as a hostile (or simply newer) server may send it.
const hostileJob = `{"id":"ext-1","status":"COMPLETED","file_input":"dfl-1","project_id":"prj-1",` +
	`"created_at":"2026-01-01T00:00:00Z","updated_at":"2026-01-01T00:00:01.5+02:00",` +
	`"error_message":null,"configuration_id":null,` +
	`"configuration":` + hostileConfig + `,` +
	`"extract_result":{"a":"x"},` +
	`"usage":{"credits":1.5,"future":1e400},"metadata":{"usage":{"num_pages_billed":2},"k":[null]},` +
	`"review_state":"open","big":{"l1":{"l2":{"l3":[{"l4":{"l5":"deep"}}]}}},` +
	`"huge":1e400,"bigint":12345678901234567890,"negzero":-0,"frac":0.1000000000000000055511151231257827,` +
	`"esc":"q\"b\\s\/\u0000\u2028<>&\ud83d\ude00","lone":"\ud800",` +
	"\"bad_utf8\":\"\xff\xfeok\"," +
	`"nul":null,"dup":1,"dup":2,"empty":{},"arr":[]}`

// hostileServer answers every job call with job, every list with a page
// of it, and files and configurations likewise.
func hostileServer(t *testing.T, job, file, cfg string) *wrapper.Client {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		p := r.URL.Path
		switch {
		case p == "/api/v2/extract" && r.Method == http.MethodGet:
			_, _ = io.WriteString(w, `{"items":[`+job+`,`+job+`],"next_page_token":null}`)
		case strings.HasPrefix(p, "/api/v2/extract"):
			_, _ = io.WriteString(w, job)
		case p == "/api/v1/beta/files" && r.Method == http.MethodGet:
			_, _ = io.WriteString(w, `{"items":[`+file+`]}`)
		case strings.HasPrefix(p, "/api/v1/beta/files"):
			_, _ = io.WriteString(w, file)
		case p == "/api/v1/beta/configurations" && r.Method == http.MethodGet:
			_, _ = io.WriteString(w, `{"items":[`+cfg+`]}`)
		default:
			_, _ = io.WriteString(w, cfg)
		}
	}))
	t.Cleanup(srv.Close)
	c, err := wrapper.New(wrapper.WithBaseURL(srv.URL), wrapper.WithAPIKey("test-key"),
		wrapper.WithRetryPolicy(wrapper.RetryPolicy{}))
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// lastMembers decodes a JSON object member by member, the last of a
// repeated key winning (as encoding/json does).
func lastMembers(t *testing.T, b []byte) map[string]json.RawMessage {
	t.Helper()
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("not an object: %v\n%s", err, b)
	}
	return m
}

// sameJSON reports whether a and b are the same JSON value: numbers as
// written, strings byte for byte (invalid UTF-8 included), times as
// instants, objects member by member.
func sameJSON(a, b json.RawMessage) bool {
	var ca, cb bytes.Buffer
	if json.Compact(&ca, a) == nil && json.Compact(&cb, b) == nil && bytes.Equal(ca.Bytes(), cb.Bytes()) {
		return true
	}
	var ta, tb time.Time
	if json.Unmarshal(a, &ta) == nil && json.Unmarshal(b, &tb) == nil {
		return ta.Equal(tb)
	}
	var sa, sb string
	if json.Unmarshal(a, &sa) == nil && json.Unmarshal(b, &sb) == nil {
		// Escapes may differ; the decoded strings must not, and a string
		// with invalid UTF-8 decodes to U+FFFD on both sides, so compare
		// the bytes too when either holds some.
		if !bytes.ContainsAny(a, "\xff\xfe") && !bytes.ContainsAny(b, "\xff\xfe") {
			return sa == sb
		}
		return bytes.Equal(a, b)
	}
	var ma, mb map[string]json.RawMessage
	if json.Unmarshal(a, &ma) == nil && json.Unmarshal(b, &mb) == nil {
		if len(ma) != len(mb) {
			return false
		}
		for k, v := range ma {
			if w, ok := mb[k]; !ok || !sameJSON(v, w) {
				return false
			}
		}
		return true
	}
	var la, lb []json.RawMessage
	if json.Unmarshal(a, &la) == nil && json.Unmarshal(b, &lb) == nil {
		return slices.EqualFunc(la, lb, sameJSON)
	}
	return false
}

// checkKept fails for each member of sent that encoded lacks or changed.
func checkKept(t *testing.T, what string, sent, encoded []byte) {
	t.Helper()
	in, out := lastMembers(t, sent), lastMembers(t, encoded)
	for _, k := range slices.Sorted(maps.Keys(in)) {
		got, ok := out[k]
		switch {
		case !ok:
			t.Errorf("%s: member %q (%s) lost on re-encoding", what, k, in[k])
		case !sameJSON(in[k], got):
			t.Errorf("%s: member %q changed on re-encoding:\n sent %s\n  got %s", what, k, in[k], got)
		}
	}
}

// roundTrip encodes job, checks it against what the server sent, decodes
// it back and checks it is stable, and checks Generated.
func roundTrip(t *testing.T, what string, job *wrapper.Job) {
	t.Helper()
	b, err := json.Marshal(job)
	if err != nil {
		t.Fatalf("%s: encode: %v", what, err)
	}
	checkKept(t, what, []byte(hostileJob), b)
	var again wrapper.Job
	if err := json.Unmarshal(b, &again); err != nil {
		t.Fatalf("%s: decode again: %v", what, err)
	}
	b2, _ := json.Marshal(&again)
	if !bytes.Equal(b, b2) {
		t.Errorf("%s: second round trip differs:\n%s\n%s", what, b, b2)
	}
	g, err := job.Generated()
	if err != nil {
		t.Errorf("%s: Generated: %v", what, err)
		return
	}
	if g.Usage == nil || g.Usage.Credits == nil || g.Metadata == nil || g.Configuration == nil || g.ExtractResult == nil {
		t.Errorf("%s: Generated misses members the spec has: %+v", what, g)
	}
}

func TestAttack18NothingLostJob(t *testing.T) {
	ctx := context.Background()
	c := hostileServer(t, hostileJob, `{}`, `{}`)
	schema := wrapper.MustSchemaFor[struct {
		A string `json:"a"`
	}]()
	req := wrapper.CreateJobRequest{FileInput: "dfl-1", Config: wrapper.ExtractConfig{Schema: schema}}

	var direct wrapper.Job
	if err := json.Unmarshal([]byte(hostileJob), &direct); err != nil {
		t.Fatal(err)
	}
	roundTrip(t, "json.Unmarshal", &direct)

	calls := map[string]func() (*wrapper.Job, error){
		"GetJob":    func() (*wrapper.Job, error) { return c.GetJob(ctx, "ext-1") },
		"CreateJob": func() (*wrapper.Job, error) { return c.CreateJob(ctx, req) },
		"Wait":      func() (*wrapper.Job, error) { return c.Wait(ctx, "ext-1") },
		"Run":       func() (*wrapper.Job, error) { return c.Run(ctx, req) },
		"CancelJob": func() (*wrapper.Job, error) { return c.CancelJob(ctx, "ext-1") },
		"ListJobs": func() (*wrapper.Job, error) {
			p, err := c.ListJobs(ctx, wrapper.JobFilter{})
			if err != nil || len(p.Items) != 2 {
				return nil, err
			}
			return p.Items[1], nil
		},
		"Jobs": func() (*wrapper.Job, error) {
			for j, err := range c.Jobs(ctx, wrapper.JobFilter{}) {
				return j, err
			}
			return nil, nil
		},
	}
	for _, name := range slices.Sorted(maps.Keys(calls)) {
		job, err := calls[name]()
		if err != nil || job == nil {
			t.Errorf("%s: %v (job %v)", name, err, job)
			continue
		}
		roundTrip(t, name, job)
	}
}

// A server's timestamp without an offset is read leniently; written back,
// it must still be the member the server sent (here: it is rewritten).
func TestAttack18NothingLostLenientTime(t *testing.T) {
	sent := `{"id":"ext-1","status":"PENDING","file_input":"dfl-1","project_id":"p","created_at":"2026-01-01T00:00:00","updated_at":"2026-01-01 00:00:00.123456"}`
	var j wrapper.Job
	if err := json.Unmarshal([]byte(sent), &j); err != nil {
		t.Fatal(err)
	}
	c := hostileServer(t, sent, `{}`, `{}`)
	got, err := c.GetJob(context.Background(), "ext-1")
	if err != nil {
		t.Fatal(err)
	}
	page, err := c.ListJobs(context.Background(), wrapper.JobFilter{})
	if err != nil {
		t.Fatal(err)
	}
	for name, job := range map[string]*wrapper.Job{"json.Unmarshal": &j, "GetJob": got, "ListJobs": page.Items[0]} {
		b, _ := json.Marshal(job)
		in, out := lastMembers(t, []byte(sent)), lastMembers(t, b)
		for _, k := range []string{"created_at", "updated_at"} {
			if !bytes.Equal(in[k], out[k]) {
				t.Errorf("%s: %s: sent %s, re-encoded %s", name, k, in[k], out[k])
			}
		}
	}
}

// A job whose result holds a number float64 cannot hold: GetJob reads it,
// so Generated, the escape hatch, must too.
func TestAttack18GeneratedHugeNumberInResult(t *testing.T) {
	sent := `{"id":"ext-1","status":"COMPLETED","file_input":"dfl-1","project_id":"p","created_at":"2026-01-01T00:00:00Z","updated_at":"2026-01-01T00:00:00Z","extract_result":{"n":1e400},"usage":{"credits":1e400}}`
	c := hostileServer(t, sent, `{}`, `{}`)
	job, err := c.GetJob(context.Background(), "ext-1")
	if err != nil {
		t.Fatal(err)
	}
	// The generated type holds credits in a float64: Generated cannot
	// succeed, and says so as this package's errors do.
	_, err = job.Generated()
	var typeErr *json.UnmarshalTypeError
	if !errors.As(err, &typeErr) || !strings.HasPrefix(err.Error(), "llamaextract: ") {
		t.Errorf("Generated: %v; want a wrapped *json.UnmarshalTypeError", err)
	}
	// Usage reads a counter that does not fit as zero, as documented.
	if u := job.Usage(); u.Credits != 0 {
		t.Errorf("Usage: %+v", u)
	}
	s := wrapper.SavedConfig{ID: "cfg-1", Config: wrapper.ExtractConfig{Schema: wrapper.MustSchemaFor[struct{}](), Extra: map[string]any{"x": math.NaN()}}}
	if _, err := s.Generated(); !strings.HasPrefix(fmt.Sprint(err), "llamaextract: ") {
		t.Errorf("SavedConfig.Generated: %v", err)
	}
}

// A job's configuration read from the server, used again to run a job,
// sends what the server sent: its members this package does not model
// included (else "nothing lost" stops at the first re-run), Extra's
// winning.
func TestAttack18EscapeHatchReusedConfigKeepsUnknownMembers(t *testing.T) {
	ctx := context.Background()
	var bodies []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		bodies = append(bodies, string(b))
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"id":"ext-1","status":"PENDING","file_input":"dfl-1","project_id":"p","created_at":"2026-01-01T00:00:00Z","updated_at":"2026-01-01T00:00:00Z"}`)
	}))
	t.Cleanup(srv.Close)
	c, err := wrapper.New(wrapper.WithBaseURL(srv.URL), wrapper.WithAPIKey("k"), wrapper.WithRetryPolicy(wrapper.RetryPolicy{}))
	if err != nil {
		t.Fatal(err)
	}
	hc := hostileServer(t, hostileJob, `{}`, hostileSaved)
	got, err := hc.GetJob(ctx, "ext-1")
	if err != nil {
		t.Fatal(err)
	}
	listed, err := hc.ListJobs(ctx, wrapper.JobFilter{})
	if err != nil {
		t.Fatal(err)
	}
	var j wrapper.Job
	if err := json.Unmarshal([]byte(hostileJob), &j); err != nil {
		t.Fatal(err)
	}
	changed := *j.Configuration
	changed.Tier, changed.Extra = wrapper.TierAgenticPlus, map[string]any{"output_language": "de"}
	for _, cfg := range []wrapper.ExtractConfig{*j.Configuration, *got.Configuration, *listed.Items[0].Configuration, changed} {
		if _, err := c.CreateJob(ctx, wrapper.CreateJobRequest{FileInput: "dfl-1", Config: cfg}); err != nil {
			t.Fatal(err)
		}
	}
	for i, body := range bodies {
		if !strings.Contains(body, `"cfg_new":{"deep":[1,{"x":null}],"n":1e400}`) || !strings.Contains(body, `"output_language":`) {
			t.Errorf("body %d: re-running a job's configuration drops the members the wrapper does not model: %s", i, body)
		}
		if strings.Contains(body, "Tier") || strings.Contains(body, "null,") {
			t.Errorf("body %d: sends a member a field models as the server spelt it: %s", i, body)
		}
	}
	if last := bodies[len(bodies)-1]; !strings.Contains(last, `"output_language":"de"`) || !strings.Contains(last, `"tier":"agentic_plus"`) {
		t.Errorf("a changed configuration: %s", last)
	}

	// The same for a saved configuration changed and updated.
	s, err := hc.GetConfiguration(ctx, "cfg-1")
	if err != nil {
		t.Fatal(err)
	}
	s.Config.Tier = wrapper.TierAgentic
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `"new_param":1e400`) || !strings.Contains(string(b), `"tier":"agentic"`) {
		t.Errorf("a saved configuration with one field changed drops its parameters' unknown members: %s", b)
	}
	bodies = bodies[:0]
	if _, err := c.CreateJob(ctx, wrapper.CreateJobRequest{FileInput: "dfl-1", Config: s.Config}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(bodies[0], `"new_param":1e400`) || strings.Contains(bodies[0], "product_type") {
		t.Errorf("a saved configuration's Config run inline: %s", bodies[0])
	}
}

const hostileFile = `{"id":"dfl-1","name":"a.pdf","project_id":"p","download_url":{"url":"https://h.example/x","expires_at":"2026-01-01T00:00:00Z","extra":1e400},` +
	`"expires_at":null,"external_file_id":null,"purpose":"brand_new","size":12345678901234567890,"x":{"deep":[null,{"y":"\u2028"}]},` +
	"\"bad\":\"\xff\"," + `"dup":1,"dup":2}`

const hostileSaved = `{"id":"cfg-1","name":"n","version":"v1","product_type":"extract_v2",` +
	`"parameters":{"product_type":"extract_v2","data_schema":{"type":"object","properties":{"a":{"type":"string"}}},"system_prompt":null,"new_param":1e400},` +
	`"created_at":null,"new_top":12345678901234567890,"deep":{"a":[{"b":null}]}}`

func TestAttack18NothingLostFileAndSavedConfig(t *testing.T) {
	ctx := context.Background()
	c := hostileServer(t, hostileJob, hostileFile, hostileSaved)
	f, err := c.GetFile(ctx, "dfl-1")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(f)
	checkKept(t, "GetFile", []byte(hostileFile), b)
	fp, err := c.ListFiles(ctx, wrapper.FileFilter{})
	if err != nil || len(fp.Items) != 1 {
		t.Fatalf("ListFiles: %v", err)
	}
	b, _ = json.Marshal(fp.Items[0])
	checkKept(t, "ListFiles", []byte(hostileFile), b)

	s, err := c.GetConfiguration(ctx, "cfg-1")
	if err != nil {
		t.Fatal(err)
	}
	b, _ = json.Marshal(s)
	checkKept(t, "GetConfiguration", []byte(hostileSaved), b)
	sp, err := c.ListConfigurations(ctx, wrapper.SavedConfigFilter{})
	if err != nil || len(sp.Items) != 1 {
		t.Fatalf("ListConfigurations: %v", err)
	}
	b, _ = json.Marshal(sp.Items[0])
	checkKept(t, "ListConfigurations", []byte(hostileSaved), b)
	g, err := s.Generated()
	if err != nil {
		t.Errorf("SavedConfig.Generated: %v", err)
	} else if !reflect.DeepEqual(g.Id, "cfg-1") {
		t.Errorf("SavedConfig.Generated: %+v", g)
	}
}

// Against the emulator: the job every call returns encodes to the JSON the
// server sends for it (read here with plain HTTP), member for member.
func TestAttack18NothingLostEmulator(t *testing.T) {
	ctx := context.Background()
	c, srv := newClient(t)
	file := srv.AddFile("invoice.txt", []byte(invoiceDoc))
	cfg := wrapper.ExtractConfig{Schema: wrapper.MustSchemaFor[Invoice](), CiteSources: true, ConfidenceScores: true,
		Extra: map[string]any{"extract_version": "latest"}}
	job, err := c.Run(ctx, wrapper.CreateJobRequest{FileInput: file, Config: cfg}, fast,
		wrapper.WithExpand(wrapper.ExpandConfiguration, wrapper.ExpandUsage, wrapper.ExpandExtractMetadata))
	if err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, srv.URL+"/api/v2/extract/"+job.ID+"?expand=configuration&expand=usage&expand=extract_metadata", nil)
	req.Header.Set("Authorization", "Bearer test-key")
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(resp.Body)
	_ = resp.Body.Close()
	listed, err := c.ListJobs(ctx, wrapper.JobFilter{}, wrapper.WithExpand(wrapper.ExpandConfiguration, wrapper.ExpandUsage, wrapper.ExpandExtractMetadata))
	if err != nil || len(listed.Items) != 1 {
		t.Fatalf("ListJobs: %v", err)
	}
	got, err := c.GetJob(ctx, job.ID, wrapper.WithExpand(wrapper.ExpandConfiguration, wrapper.ExpandUsage, wrapper.ExpandExtractMetadata))
	if err != nil {
		t.Fatal(err)
	}
	for name, j := range map[string]*wrapper.Job{"Run": job, "GetJob": got, "ListJobs": listed.Items[0]} {
		b, err := json.Marshal(j)
		if err != nil {
			t.Fatal(err)
		}
		checkKept(t, name, raw, b)
	}
	if !strings.Contains(string(raw), `"extract_version"`) {
		t.Errorf("the emulator does not echo Extra's extract_version in the job's configuration: %s", raw)
	}
}
