package extracttest_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/extract-go/llamaextract/extracttest"
	"github.com/extract-go/llamaextract/internal/schemacheck"
)

const invoiceText = "ACME CORP\nInvoice Number: INV-2026-001\nVendor: Acme Corp\nTotal: $1,204.50\nPaid: no\n\fPage two\nNotes: thanks\n"

func TestAuth(t *testing.T) {
	a, _ := newAPI(t, extracttest.WithAPIKey("secret"))
	a.key = ""
	r := a.do("GET", "/api/v2/extract", nil)
	if r.status != 401 || !strings.Contains(r.detail(t), "Authorization: Bearer") {
		t.Fatalf("no key: %d %s", r.status, r.body)
	}
	a.key = "wrong"
	if r := a.do("GET", "/api/v2/extract", nil); r.status != 401 {
		t.Fatalf("wrong key: %d", r.status)
	}
	a.key = "secret"
	if r := a.do("GET", "/api/v2/extract", nil); r.status != 200 {
		t.Fatalf("right key: %d %s", r.status, r.body)
	}

	// Without WithAPIKey any non-empty key works.
	b, _ := newAPI(t)
	b.key = "anything"
	if r := b.do("GET", "/api/v2/extract", nil); r.status != 200 {
		t.Fatalf("any key: %d", r.status)
	}
}

func TestLifecycleWithFakeClock(t *testing.T) {
	a, clk := newAPI(t, extracttest.WithSchedule(
		extracttest.Step{Status: "PENDING", For: time.Second},
		extracttest.Step{Status: "THROTTLED", For: time.Second},
		extracttest.Step{Status: "RUNNING", For: 2 * time.Second},
	))
	file := a.s.AddFile("invoice.txt", []byte(invoiceText))
	if !strings.HasPrefix(file, "dfl-") {
		t.Fatalf("file id %q", file)
	}
	j := a.create(file)
	if !strings.HasPrefix(j.ID, "ext-") || !strings.HasPrefix(j.ProjectID, "prj-") || j.FileInput != file {
		t.Fatalf("job %+v", j)
	}
	for _, want := range []string{"PENDING", "THROTTLED", "RUNNING", "RUNNING", "COMPLETED"} {
		got := a.get(j.ID, "")
		if got.Status != want {
			t.Fatalf("status %s, want %s", got.Status, want)
		}
		for _, ts := range []string{got.CreatedAt, got.UpdatedAt} {
			if _, err := time.Parse(time.RFC3339, ts); err != nil {
				t.Fatalf("timestamp %q is not RFC 3339", ts)
			}
		}
		if want != "COMPLETED" && got.ExtractResult != nil {
			t.Fatalf("result before completion: %s", got.ExtractResult)
		}
		clk.Advance(time.Second)
	}
	done := a.get(j.ID, "")
	var res map[string]any
	if err := json.Unmarshal(done.ExtractResult, &res); err != nil {
		t.Fatal(err)
	}
	if res["vendor"] != "Acme Corp" || res["total"] != 1204.5 || res["invoice_number"] != "INV-2026-001" || res["paid"] != false || res["due_date"] != nil {
		t.Fatalf("result %v", res)
	}
	if done.UpdatedAt != "2026-01-01T00:00:04Z" {
		t.Fatalf("updated_at %s, want the completion time", done.UpdatedAt)
	}
	if done.Configuration != nil || done.Usage != nil {
		t.Fatal("configuration and usage must need expand")
	}
	ex := a.get(j.ID, "?expand=configuration&expand=usage&expand=extract_metadata")
	if ex.Configuration == nil || ex.Usage == nil || ex.ExtractMetadata == nil {
		t.Fatalf("expand ignored: %+v", ex)
	}
	if !strings.Contains(string(ex.Usage), `"credits":10`) || !strings.Contains(string(done.Metadata), `"num_pages_extracted":2`) {
		t.Fatalf("usage %s metadata %s", ex.Usage, done.Metadata)
	}
}

func TestFailedAndScriptedOutcomes(t *testing.T) {
	a, clk := newAPI(t, extracttest.WithJobDuration(time.Second))
	f1 := a.s.AddFile("a.txt", []byte("x"))
	f2 := a.s.AddFile("b.txt", []byte("y"))
	a.s.ScriptFile(f1, extracttest.Outcome{Error: "The response was too long to be processed"})
	a.s.ScriptFile(f2, extracttest.Outcome{Result: json.RawMessage(`{"vendor":"Scripted Inc"}`),
		Steps: []extracttest.Step{{Status: "RUNNING", For: 5 * time.Second}}})
	j1, j2 := a.create(f1), a.create(f2)
	clk.Advance(2 * time.Second)
	g1 := a.get(j1.ID, "")
	if g1.Status != "FAILED" || g1.ErrorMessage == nil || *g1.ErrorMessage != "The response was too long to be processed" {
		t.Fatalf("failed job %+v", g1)
	}
	if g := a.get(j2.ID, ""); g.Status != "RUNNING" {
		t.Fatalf("scripted steps ignored: %s", g.Status)
	}
	clk.Advance(5 * time.Second)
	if g := a.get(j2.ID, ""); g.Status != "COMPLETED" || string(g.ExtractResult) != `{"vendor":"Scripted Inc"}` {
		t.Fatalf("scripted result: %s %s", g.Status, g.ExtractResult)
	}

	// ScriptJob changes a job that exists.
	j3 := a.create(a.s.AddFile("c.txt", nil))
	if !a.s.ScriptJob(j3.ID, extracttest.Outcome{Error: "boom"}) || a.s.ScriptJob("ext-nope", extracttest.Outcome{}) {
		t.Fatal("ScriptJob result")
	}
	clk.Advance(2 * time.Second)
	if g := a.get(j3.ID, ""); g.Status != "FAILED" || *g.ErrorMessage != "boom" {
		t.Fatalf("ScriptJob: %+v", g)
	}
}

func TestCreateRules(t *testing.T) {
	a, clk := newAPI(t, extracttest.WithJobDuration(time.Second))
	file := a.s.AddFile("a.txt", []byte("Vendor: X"))
	cases := []struct {
		name, body, detail string
		status             int
	}{
		{"neither configuration", `{"file_input":"` + file + `"}`, "exactly one", 400},
		{"both", `{"file_input":"` + file + `","configuration_id":"cfg-1","configuration":{"data_schema":{"type":"object"}}}`, "exactly one", 400},
		{"missing file_input", `{"configuration":{"data_schema":{"type":"object"}}}`, `["body","file_input"]`, 422},
		{"bad prefix", createBody("abc", `{"type":"object"}`, ""), "file_input", 400},
		{"unknown file", createBody("dfl-00000000-0000-0000-0000-000000000000", `{"type":"object"}`, ""), "upload it first", 404},
		{"unknown config", `{"file_input":"` + file + `","configuration_id":"cfg-nope"}`, "configuration_id", 404},
		{"array root schema", createBody(file, `{"type":"array","items":{"type":"string"}}`, ""), "configuration.data_schema.type", 400},
		{"bad enum", createBody(file, `{"type":"object"}`, `,"tier":"gold"`), `["body","configuration","tier"]`, 422},
		{"not json", `{`, `"json_invalid"`, 422},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := a.do("POST", "/api/v2/extract", tc.body)
			if r.status != tc.status || !strings.Contains(string(r.body), tc.detail) {
				t.Fatalf("got %d %s, want %d mentioning %q", r.status, r.body, tc.status, tc.detail)
			}
		})
	}
	// A parse job input: known ones complete, unknown ones fail the job.
	known := a.s.AddParseJob()
	jk := a.create(known)
	ju := a.create("pjb-00000000-0000-0000-0000-000000000000")
	clk.Advance(2 * time.Second)
	if g := a.get(jk.ID, ""); g.Status != "COMPLETED" {
		t.Fatalf("known parse job: %s", g.Status)
	}
	if g := a.get(ju.ID, ""); g.Status != "FAILED" || !strings.Contains(*g.ErrorMessage, "parse job") {
		t.Fatalf("unknown parse job: %+v", g)
	}
}

func TestCancelAndDelete(t *testing.T) {
	a, clk := newAPI(t, extracttest.WithJobDuration(4*time.Second))
	file := a.s.AddFile("a.txt", nil)
	j := a.create(file)
	if r := a.do("DELETE", "/api/v2/extract/"+j.ID, nil); r.status != 400 || !strings.Contains(r.detail(t), "cancel it") {
		t.Fatalf("delete running: %d %s", r.status, r.body)
	}
	clk.Advance(2 * time.Second)
	r := a.do("POST", "/api/v2/extract/"+j.ID+"/cancel", nil)
	var c jobJSON
	r.json(t, &c)
	if r.status != 200 || c.Status != "CANCELLED" {
		t.Fatalf("cancel: %d %s", r.status, r.body)
	}
	clk.Advance(10 * time.Second)
	if g := a.get(j.ID, ""); g.Status != "CANCELLED" {
		t.Fatalf("cancelled job moved on: %s", g.Status)
	}
	if r := a.do("POST", "/api/v2/extract/"+j.ID+"/cancel", nil); r.status != 400 || !strings.Contains(r.detail(t), "already CANCELLED") {
		t.Fatalf("cancel twice: %d %s", r.status, r.body)
	}
	done := a.create(file)
	clk.Advance(5 * time.Second)
	if r := a.do("POST", "/api/v2/extract/"+done.ID+"/cancel", nil); r.status != 400 || !strings.Contains(r.detail(t), "already COMPLETED") {
		t.Fatalf("cancel completed: %d %s", r.status, r.body)
	}
	if r := a.do("DELETE", "/api/v2/extract/"+done.ID, nil); r.status != 200 || string(r.body) != "{}\n" {
		t.Fatalf("delete: %d %s", r.status, r.body)
	}
	if r := a.do("GET", "/api/v2/extract/"+done.ID, nil); r.status != 404 || !strings.Contains(r.detail(t), done.ID) {
		t.Fatalf("get deleted: %d %s", r.status, r.body)
	}
	if r := a.do("POST", "/api/v2/extract/ext-nope/cancel", nil); r.status != 404 {
		t.Fatalf("cancel unknown: %d", r.status)
	}
}

func listAll(t *testing.T, a *api, query string) []jobJSON {
	t.Helper()
	var all []jobJSON
	tok := ""
	for pages := 0; ; pages++ {
		q := query
		if tok != "" {
			q += "&page_token=" + tok
		}
		r := a.do("GET", "/api/v2/extract?"+q, nil)
		if r.status != 200 {
			t.Fatalf("list: %d %s", r.status, r.body)
		}
		var p pageJSON
		r.json(t, &p)
		all = append(all, p.Items...)
		if p.NextPageToken == nil || *p.NextPageToken == "" || len(p.Items) == 0 {
			return all
		}
		tok = *p.NextPageToken
		if pages > 1000 {
			t.Fatal("paging does not end")
		}
	}
}

func TestListFiltersAndOrder(t *testing.T) {
	a, clk := newAPI(t, extracttest.WithJobDuration(10*time.Second))
	f1 := a.s.AddFile("a.txt", nil)
	f2 := a.s.AddFile("b.txt", nil)
	pj := a.s.AddParseJob()
	var ids []string
	for i := 0; i < 6; i++ {
		in := f1
		if i%2 == 1 {
			in = f2
		}
		if i == 5 {
			in = pj
		}
		ids = append(ids, a.create(in).ID)
		clk.Advance(time.Second)
	}
	a.do("POST", "/api/v2/extract/"+ids[0]+"/cancel", nil)

	all := listAll(t, a, "page_size=4")
	if len(all) != 6 {
		t.Fatalf("listed %d jobs", len(all))
	}
	for i, j := range all {
		if j.ID != ids[5-i] {
			t.Fatalf("not newest first at %d", i)
		}
	}
	count := func(q string) int { return len(listAll(t, a, q)) }
	checks := map[string]int{
		"file_input=" + f1:                             3,
		"document_input_value=" + f2:                   2,
		"document_input_type=parse_job_id":             1,
		"document_input_type=file_id":                  5,
		"status=CANCELLED":                             1,
		"status=RUNNING":                               3,
		"status=PENDING":                               2,
		"job_ids=" + ids[1] + "&job_ids=" + ids[2]:     2,
		"created_at_on_or_after=2026-01-01T00:00:02Z":  4,
		"created_at_on_or_before=2026-01-01T00:00:02Z": 3,
		"configuration_id=cfg-none":                    0,
		"project_id=prj-other":                         0,
		// Open strings in the official SDKs: an unknown kind matches no
		// job, an empty value is no filter, page_size=0 is the default,
		// and an unknown expand adds nothing.
		"document_input_type=url":            0,
		"document_input_type=":               6,
		"page_size=0":                        6,
		"expand=string&expand=configuration": 6,
	}
	for q, want := range checks {
		if got := count(q); got != want {
			t.Errorf("%s: %d jobs, want %d", q, got, want)
		}
	}
	if r := a.do("GET", "/api/v2/extract?page_token=garbage", nil); r.status != 400 || !strings.Contains(r.detail(t), "page_token") {
		t.Fatalf("bad token: %d %s", r.status, r.body)
	}
	if r := a.do("GET", "/api/v2/extract?page_size=-1", nil); r.status != 400 || !strings.Contains(r.detail(t), "page_size") {
		t.Fatalf("negative page_size: %d %s", r.status, r.body)
	}
	ex := listAll(t, a, "expand=configuration")
	if ex[0].Configuration == nil {
		t.Fatal("expand=configuration ignored on list")
	}
}

// Jobs created while a client pages must not shift, repeat or hide the jobs
// that existed when paging began.
func TestListCursorStableUnderConcurrentCreates(t *testing.T) {
	a, _ := newAPI(t)
	file := a.s.AddFile("a.txt", nil)
	before := map[string]bool{}
	for i := 0; i < 120; i++ {
		before[a.create(file).ID] = true
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			select {
			case <-stop:
				return
			default:
				a.create(file)
			}
		}
	}()
	seen := map[string]int{}
	for _, j := range listAll(t, a, "page_size=7") {
		seen[j.ID]++
	}
	close(stop)
	wg.Wait()
	for id := range before {
		if seen[id] != 1 {
			t.Fatalf("job %s seen %d times", id, seen[id])
		}
	}
	for id, n := range seen {
		if n != 1 {
			t.Fatalf("job %s seen %d times", id, n)
		}
	}
}

func TestSchemaValidation(t *testing.T) {
	a, _ := newAPI(t)
	ok := a.do("POST", "/api/v2/extract/schema/validation", `{"data_schema":`+invoiceSchema+`}`)
	if ok.status != 200 {
		t.Fatalf("valid schema: %d %s", ok.status, ok.body)
	}
	deep := `{"type":"string"}`
	for i := 0; i < 8; i++ {
		deep = fmt.Sprintf(`{"type":"object","properties":{"l%d":%s}}`, i, deep)
	}
	cases := map[string]string{
		`{"type":"array","items":{"type":"object"}}`: "data_schema.type",
		deep: "deeper than the 7",
		`{"type":"object","properties":{"a":{"type":"strng"}}}`:                       "not a valid JSON Schema",
		`{"type":"object","properties":{"a":{"type":"object","properties":{"b":7}}}}`: "data_schema.properties.a.properties.b",
	}
	for schema, want := range cases {
		r := a.do("POST", "/api/v2/extract/schema/validation", `{"data_schema":`+schema+`}`)
		if r.status != 400 || !strings.Contains(r.detail(t), want) {
			t.Errorf("%s: %d %s, want 400 mentioning %q", schema, r.status, r.body, want)
		}
	}
	if r := a.do("POST", "/api/v2/extract/schema/validation", `{}`); r.status != 422 || !strings.Contains(string(r.body), `["body","data_schema"]`) {
		t.Errorf("missing data_schema: %d %s", r.status, r.body)
	}
}

func TestSchemaGenerate(t *testing.T) {
	a, _ := newAPI(t)
	body := `{"prompt":"invoice number, vendor name and total amount","data_schema":{"type":"object","properties":{"currency":{"type":"string"}}}}`
	r1 := a.do("POST", "/api/v2/extract/schema/generate", body)
	r2 := a.do("POST", "/api/v2/extract/schema/generate", body)
	if r1.status != 200 || string(r1.body) != string(r2.body) {
		t.Fatalf("not deterministic or failed: %d %s / %s", r1.status, r1.body, r2.body)
	}
	var cc struct {
		Name       string `json:"name"`
		Parameters struct {
			ProductType string `json:"product_type"`
			DataSchema  struct {
				Properties map[string]map[string]any `json:"properties"`
			} `json:"data_schema"`
		} `json:"parameters"`
	}
	r1.json(t, &cc)
	props := cc.Parameters.DataSchema.Properties
	if cc.Parameters.ProductType != "extract_v2" || props["total_amount"]["type"] != "number" || props["vendor_name"]["type"] != "string" || props["currency"] == nil || props["invoice_number"] == nil {
		t.Fatalf("generated %s", r1.body)
	}
	// The answer can be saved as is.
	if r := a.do("POST", "/api/v1/beta/configurations", string(r1.body)); r.status != 200 {
		t.Fatalf("save generated: %d %s", r.status, r.body)
	}
	file := a.s.AddFile("inv.txt", []byte(invoiceText))
	r := a.do("POST", "/api/v2/extract/schema/generate", `{"file_id":"`+file+`","name":"from-file"}`)
	r.json(t, &cc)
	if cc.Name != "from-file" || cc.Parameters.DataSchema.Properties["vendor"] == nil {
		t.Fatalf("from file: %s", r.body)
	}
	if r := a.do("POST", "/api/v2/extract/schema/generate", `{}`); r.status != 400 {
		t.Fatalf("empty request: %d", r.status)
	}
	if r := a.do("POST", "/api/v2/extract/schema/generate", `{"file_id":"dfl-nope"}`); r.status != 404 {
		t.Fatalf("unknown file: %d", r.status)
	}
}

func TestFiles(t *testing.T) {
	a, _ := newAPI(t, extracttest.WithMaxUploadSize(1024))
	r := a.upload("invoice.pdf", "extract", []byte("%PDF-1.4 tiny"))
	var f struct {
		ID, Name, FileType, Purpose string
	}
	if r.status != 200 {
		t.Fatalf("upload: %d %s", r.status, r.body)
	}
	json.Unmarshal(r.body, &f)
	var fj map[string]any
	r.json(t, &fj)
	if !strings.HasPrefix(fj["id"].(string), "dfl-") || fj["name"] != "invoice.pdf" || fj["file_type"] != "pdf" || fj["purpose"] != "extract" {
		t.Fatalf("file %s", r.body)
	}
	id := fj["id"].(string)
	if r := a.upload("x.txt", "", []byte("x")); r.status != 422 || !strings.Contains(string(r.body), `["body","purpose"]`) {
		t.Fatalf("missing purpose: %d %s", r.status, r.body)
	}
	if r := a.upload("x.txt", "holiday", []byte("x")); r.status != 400 || !strings.Contains(string(r.body), "purpose") {
		t.Fatalf("bad purpose: %d %s", r.status, r.body)
	}
	if r := a.upload("", "extract", nil); r.status != 422 || !strings.Contains(string(r.body), `["body","file"]`) {
		t.Fatalf("missing file: %d %s", r.status, r.body)
	}
	if r := a.upload("big.bin", "extract", make([]byte, 2048)); r.status != 413 {
		t.Fatalf("too big: %d %s", r.status, r.body)
	}
	a.upload("b.txt", "user_data", []byte("b"))
	if r := a.do("GET", "/api/v1/beta/files/"+id, nil); r.status != 200 {
		t.Fatalf("get file: %d", r.status)
	}
	var page struct {
		Items []map[string]any `json:"items"`
		Next  *string          `json:"next_page_token"`
		Total *int             `json:"total_size"`
	}
	a.do("GET", "/api/v1/beta/files?order_by=name&page_size=1", nil).json(t, &page)
	if len(page.Items) != 1 || page.Items[0]["name"] != "b.txt" || page.Next == nil {
		t.Fatalf("list files: %+v", page)
	}
	if r := a.do("GET", "/api/v1/beta/files?order_by=size", nil); r.status != 400 {
		t.Fatalf("bad order_by: %d", r.status)
	}
	a.do("POST", "/api/v1/beta/files/query", `{"filter":{"file_name":"invoice.pdf"}}`).json(t, &page)
	if len(page.Items) != 1 || page.Total == nil || *page.Total != 1 {
		t.Fatalf("query files: %+v", page)
	}
	var link struct {
		URL string `json:"url"`
	}
	a.do("GET", "/api/v1/beta/files/"+id+"/content?expires_at_seconds=60", nil).json(t, &link)
	dl, err := a.s.Client().Get(link.URL)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(dl.Body)
	dl.Body.Close()
	if string(b) != "%PDF-1.4 tiny" {
		t.Fatalf("download: %q", b)
	}
	if r := a.do("DELETE", "/api/v1/beta/files/"+id, nil); r.status != 204 {
		t.Fatalf("delete file: %d", r.status)
	}
	if r := a.do("GET", "/api/v1/beta/files/"+id, nil); r.status != 404 {
		t.Fatalf("get deleted file: %d", r.status)
	}
}

func TestConfigurations(t *testing.T) {
	a, clk := newAPI(t, extracttest.WithJobDuration(time.Second))
	body := `{"name":"invoices","parameters":{"product_type":"extract_v2","data_schema":` + invoiceSchema + `,"extraction_target":"per_doc"}}`
	var c1, c2 map[string]any
	a.do("POST", "/api/v1/beta/configurations", body).json(t, &c1)
	clk.Advance(time.Second)
	a.do("POST", "/api/v1/beta/configurations", body).json(t, &c2)
	if !strings.HasPrefix(c1["id"].(string), "cfg-") || c1["id"] != c2["id"] || c1["version"] == c2["version"] {
		t.Fatalf("upsert by name: %v %v", c1, c2)
	}
	id := c1["id"].(string)
	a.do("POST", "/api/v1/beta/configurations", `{"name":"splitter","parameters":{"product_type":"split_v1","categories":[{"name":"invoice"}]}}`)
	var page struct {
		Items []map[string]any `json:"items"`
	}
	a.do("GET", "/api/v1/beta/configurations?product_type=extract_v2", nil).json(t, &page)
	if len(page.Items) != 1 || page.Items[0]["id"] != id {
		t.Fatalf("list by product type: %+v", page)
	}
	if r := a.do("PUT", "/api/v1/beta/configurations/"+id, `{"name":"invoices-v2"}`); r.status != 200 || !strings.Contains(string(r.body), "invoices-v2") || !strings.Contains(string(r.body), "vendor") {
		t.Fatalf("update name keeps parameters: %d %s", r.status, r.body)
	}
	if r := a.do("POST", "/api/v1/beta/configurations", `{"name":"bad","parameters":{"product_type":"extract_v2","data_schema":{"type":"array"}}}`); r.status != 400 || !strings.Contains(r.detail(t), "parameters.data_schema.type") {
		t.Fatalf("bad schema: %d %s", r.status, r.body)
	}
	// A saved configuration drives a job.
	file := a.s.AddFile("inv.txt", []byte(invoiceText))
	r := a.do("POST", "/api/v2/extract", `{"file_input":"`+file+`","configuration_id":"`+id+`"}`)
	var j jobJSON
	r.json(t, &j)
	if r.status != 200 || j.ConfigurationID == nil || *j.ConfigurationID != id {
		t.Fatalf("create with configuration_id: %d %s", r.status, r.body)
	}
	clk.Advance(2 * time.Second)
	if g := a.get(j.ID, ""); !strings.Contains(string(g.ExtractResult), "Acme Corp") {
		t.Fatalf("result: %s", g.ExtractResult)
	}
	if n := len(listAll(t, a, "configuration_id="+id)); n != 1 {
		t.Fatalf("filter by configuration: %d", n)
	}
	if r := a.do("DELETE", "/api/v1/beta/configurations/"+id, nil); r.status != 204 {
		t.Fatalf("delete config: %d", r.status)
	}
	if r := a.do("GET", "/api/v1/beta/configurations/"+id, nil); r.status != 404 {
		t.Fatalf("get deleted config: %d", r.status)
	}
}

func TestResultsValidateAgainstSchema(t *testing.T) {
	a, clk := newAPI(t, extracttest.WithJobDuration(time.Second), extracttest.WithTableRows(4))
	statement := "Statement\n| Date | Description | Amount |\n|---|---|---|\n| 2026-01-02 | Coffee | 3.50 |\n| 2026-01-03 | Books | 42.00 |\n\fPage 2\nVendor: Shop\n"
	file := a.s.AddFile("statement.txt", []byte(statement))
	rowSchema := `{"type":"object","properties":{"date":{"type":"string"},"description":{"type":"string"},"amount":{"type":"number"}}}`
	nested := `{"type":"object","properties":{"vendor":{"type":"string"},"items":{"type":"array","items":{"type":"object","properties":{"description":{"type":"string"},"amount":{"type":"number"}}}},"tags":{"type":"array","items":{"type":"string"}},"status":{"type":"string","enum":["open","closed"]},"meta":{"type":"object","properties":{"pages":{"type":"integer"}}}}}`
	cases := []struct {
		name, schema, extra string
		check               func(t *testing.T, result json.RawMessage, meta string)
	}{
		{"per_doc nested", nested, `,"cite_sources":true`, func(t *testing.T, res json.RawMessage, meta string) {
			var v map[string]any
			json.Unmarshal(res, &v)
			items := v["items"].([]any)
			if v["vendor"] != "Shop" || len(items) != 2 || items[1].(map[string]any)["amount"] != 42.0 {
				t.Fatalf("result %s", res)
			}
			if !strings.Contains(meta, `"matching_text":"Books"`) || !strings.Contains(meta, `"page":2`) {
				t.Fatalf("metadata %s", meta)
			}
		}},
		{"per_page", `{"type":"object","properties":{"vendor":{"type":"string"},"date":{"type":"string"}},"required":["date"]}`, `,"extraction_target":"per_page","confidence_scores":true`, func(t *testing.T, res json.RawMessage, meta string) {
			var v []map[string]any
			json.Unmarshal(res, &v)
			_, vendor1 := v[0]["vendor"]
			if len(v) != 2 || vendor1 || v[1]["vendor"] != "Shop" || v[0]["date"] == nil || v[1]["date"] == nil {
				t.Fatalf("per_page %s", res)
			}
			if !strings.Contains(meta, "page_metadata") || !strings.Contains(meta, `"confidence":0.97`) || !strings.Contains(meta, `"confidence":0.5`) || strings.Contains(meta, "citation") {
				t.Fatalf("per_page metadata %s", meta)
			}
		}},
		{"per_page target_pages", rowSchema, `,"extraction_target":"per_page","target_pages":"2"`, func(t *testing.T, res json.RawMessage, meta string) {
			var v []map[string]any
			json.Unmarshal(res, &v)
			if len(v) != 1 {
				t.Fatalf("target_pages ignored: %s", res)
			}
		}},
		{"per_table_row", rowSchema, `,"extraction_target":"per_table_row","cite_sources":true`, func(t *testing.T, res json.RawMessage, meta string) {
			var v []map[string]any
			json.Unmarshal(res, &v)
			if len(v) != 2 || v[0]["description"] != "Coffee" || v[1]["amount"] != 42.0 || !strings.Contains(meta, "row_metadata") {
				t.Fatalf("per_table_row %s %s", res, meta)
			}
		}},
		{"per_table_row without a table", `{"type":"object","properties":{"sku":{"type":"string"}}}`, `,"extraction_target":"per_table_row"`, func(t *testing.T, res json.RawMessage, meta string) {
			var v []map[string]any
			json.Unmarshal(res, &v)
			if len(v) != 4 || meta != "" {
				t.Fatalf("synthetic rows %s meta %q", res, meta)
			}
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := a.do("POST", "/api/v2/extract", createBody(file, tc.schema, tc.extra))
			var j jobJSON
			r.json(t, &j)
			clk.Advance(2 * time.Second)
			g := a.get(j.ID, "")
			var schema map[string]any
			json.Unmarshal([]byte(tc.schema), &schema)
			compiled, err := schemacheck.Compile(schema)
			if err != nil {
				t.Fatal(err)
			}
			var rows []any
			var one any
			json.Unmarshal(g.ExtractResult, &one)
			if arr, ok := one.([]any); ok {
				rows = arr
			} else {
				rows = []any{one}
			}
			for _, row := range rows {
				if err := compiled.Validate(row); err != nil {
					t.Fatalf("result does not validate against data_schema: %v\n%s", err, g.ExtractResult)
				}
			}
			meta := ""
			if g.ExtractMetadata != nil {
				meta = string(g.ExtractMetadata)
				if !strings.Contains(meta, "field_metadata") {
					meta = ""
				}
			}
			tc.check(t, g.ExtractResult, meta)
		})
	}
}

func TestFaults(t *testing.T) {
	a, _ := newAPI(t)
	file := a.s.AddFile("a.txt", nil)

	rm := a.s.InjectFault(extracttest.Fault{Operation: "ListExtractJobs", Kind: extracttest.FaultStatus, Status: 429, RetryAfter: "2", RetryAfterMs: "1500", Times: 1})
	r := a.do("GET", "/api/v2/extract", nil)
	if r.status != 429 || r.header.Get("Retry-After") != "2" || r.header.Get("retry-after-ms") != "1500" {
		t.Fatalf("429: %d %v", r.status, r.header)
	}
	if r := a.do("GET", "/api/v2/extract", nil); r.status != 200 {
		t.Fatalf("fault not spent after Times: %d", r.status)
	}
	rm()

	a.s.InjectFault(extracttest.Fault{Operation: "GetExtractJob", Kind: extracttest.FaultStatus, Times: 3})
	for i := 0; i < 3; i++ {
		if r := a.do("GET", "/api/v2/extract/ext-x", nil); r.status != 503 {
			t.Fatalf("burst %d: %d", i, r.status)
		}
	}
	if r := a.do("GET", "/api/v2/extract/ext-x", nil); r.status != 404 {
		t.Fatalf("after burst: %d", r.status)
	}

	// A dropped connection before processing creates nothing.
	rm = a.s.InjectFault(extracttest.Fault{Operation: "CreateExtractJob", Kind: extracttest.FaultDrop, Times: 1})
	if _, err := a.try("POST", "/api/v2/extract", createBody(file, invoiceSchema, "")); err == nil {
		t.Fatal("drop: no error")
	}
	if n := a.s.JobsCreatedFor(file); n != 0 {
		t.Fatalf("drop created %d jobs", n)
	}
	rm()
	// Dropped after processing: the job exists although the client saw an error.
	rm = a.s.InjectFault(extracttest.Fault{Operation: "CreateExtractJob", Kind: extracttest.FaultDropAfter, Times: 1})
	if _, err := a.try("POST", "/api/v2/extract", createBody(file, invoiceSchema, "")); err == nil {
		t.Fatal("drop-after: no error")
	}
	if n := a.s.JobsCreatedFor(file); n != 1 {
		t.Fatalf("drop-after created %d jobs", n)
	}
	rm()
	a.s.InjectFault(extracttest.Fault{Operation: "ListExtractJobs", Kind: extracttest.FaultTruncate, Times: 1})
	_, err := a.try("GET", "/api/v2/extract", nil)
	if !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Fatalf("truncate: %v", err)
	}
	a.s.InjectFault(extracttest.Fault{Operation: "ListExtractJobs", Kind: extracttest.FaultLatency, Delay: time.Millisecond, Times: 1})
	if r := a.do("GET", "/api/v2/extract", nil); r.status != 200 {
		t.Fatalf("latency: %d", r.status)
	}
	// Probabilistic faults hit some requests, reproducibly.
	a.s.ClearFaults()
	a.s.InjectFault(extracttest.Fault{Operation: "ListExtractJobs", Kind: extracttest.FaultStatus, Probability: 0.5})
	hits := 0
	for i := 0; i < 40; i++ {
		if a.do("GET", "/api/v2/extract", nil).status == 503 {
			hits++
		}
	}
	if hits == 0 || hits == 40 {
		t.Fatalf("probability 0.5 hit %d of 40", hits)
	}
	if st := a.s.Stats(); st.FaultsInjected < 8 {
		t.Fatalf("stats %+v", st)
	}
}

func TestCreateRateLimit(t *testing.T) {
	a, clk := newAPI(t, extracttest.WithCreateRateLimit(2, 2))
	file := a.s.AddFile("a.txt", nil)
	a.create(file)
	a.create(file)
	r := a.do("POST", "/api/v2/extract", createBody(file, invoiceSchema, ""))
	if r.status != 429 || r.header.Get("Retry-After") != "1" || r.header.Get("retry-after-ms") != "500" {
		t.Fatalf("over limit: %d %v %s", r.status, r.header, r.body)
	}
	clk.Advance(500 * time.Millisecond)
	a.create(file)
	if st := a.s.Stats(); st.RateLimited != 1 || st.JobsCreated != 3 {
		t.Fatalf("stats %+v", st)
	}
}

func TestInvalidResponseIsReportedNotSent(t *testing.T) {
	clk := extracttest.NewFakeClock(time.Time{})
	s := extracttest.NewServer(extracttest.WithClock(clk), extracttest.WithJobDuration(0))
	defer s.Close()
	a := &api{t: t, s: s, key: "k"}
	file := s.AddFile("a.txt", nil)
	s.ScriptFile(file, extracttest.Outcome{Result: json.RawMessage(`"not an object"`)})
	// The job completes at once, so the create response carries the bad result.
	r := a.do("POST", "/api/v2/extract", createBody(file, invoiceSchema, ""))
	if r.status != 500 || !strings.Contains(r.detail(t), "extracttest bug: response violates openapi.yaml") {
		t.Fatalf("invalid response sent: %d %s", r.status, r.body)
	}
	v := s.Violations()
	if len(v) != 1 || v[0].Operation != "CreateExtractJob" || !strings.Contains(v[0].Body, "not an object") {
		t.Fatalf("violations %v", v)
	}
	rec := &recordingTB{}
	extracttest.CheckViolations(rec, s)
	if len(rec.errors) != 1 {
		t.Fatalf("CheckViolations reported %d errors", len(rec.errors))
	}
}

type recordingTB struct{ errors []string }

func (r *recordingTB) Helper() {}
func (r *recordingTB) Errorf(format string, args ...any) {
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}
func (r *recordingTB) Cleanup(func()) {}

func TestMountedAsHandler(t *testing.T) {
	s := extracttest.New()
	hs := httptest.NewServer(s)
	defer hs.Close()
	defer s.Close()
	req, _ := http.NewRequest("GET", hs.URL+"/api/v2/extract", nil)
	req.Header.Set("Authorization", "Bearer k")
	res, err := hs.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 200 {
		t.Fatalf("mounted: %d", res.StatusCode)
	}
	req, _ = http.NewRequest("GET", hs.URL+"/api/v9/nothing", nil)
	res, _ = hs.Client().Do(req)
	res.Body.Close()
	if res.StatusCode != 404 {
		t.Fatalf("unknown path: %d", res.StatusCode)
	}
}

// TestEveryOperation drives each operation in openapi.yaml with a valid and an
// invalid request; NewTestServer fails the test on any response violation.
func TestEveryOperation(t *testing.T) {
	a, clk := newAPI(t, extracttest.WithJobDuration(time.Second))
	up := a.upload("inv.txt", "extract", []byte(invoiceText))
	var f map[string]any
	up.json(t, &f)
	file := f["id"].(string)
	var cfg map[string]any
	a.do("POST", "/api/v1/beta/configurations", `{"name":"c","parameters":{"product_type":"extract_v2","data_schema":`+invoiceSchema+`}}`).json(t, &cfg)
	cfgID := cfg["id"].(string)
	j := a.create(file)
	j2 := a.create(file)
	clk.Advance(2 * time.Second)
	calls := []struct {
		op, method, path, body string
		want                   []int
	}{
		{"CreateExtractJob", "POST", "/api/v2/extract", createBody(file, invoiceSchema, `,"cite_sources":true,"confidence_scores":true`), []int{200}},
		{"CreateExtractJob", "POST", "/api/v2/extract", `{"file_input":7}`, []int{422}},
		{"ListExtractJobs", "GET", "/api/v2/extract?expand=configuration&expand=extract_metadata&page_size=1", "", []int{200}},
		{"ListExtractJobs", "GET", "/api/v2/extract?page_size=zero", "", []int{422}},
		{"GetExtractJob", "GET", "/api/v2/extract/" + j.ID + "?expand=usage&expand=configuration&expand=extract_metadata", "", []int{200}},
		{"GetExtractJob", "GET", "/api/v2/extract/" + j.ID + "?expand=everything", "", []int{200}},
		{"CancelExtractJob", "POST", "/api/v2/extract/" + j.ID + "/cancel", "", []int{400}},
		{"CancelExtractJob", "POST", "/api/v2/extract/" + j.ID + "/cancel", `{"x":1}`, []int{422}},
		{"DeleteExtractJob", "DELETE", "/api/v2/extract/" + j2.ID, "", []int{200}},
		{"DeleteExtractJob", "DELETE", "/api/v2/extract/" + j2.ID, "", []int{404}},
		{"ValidateExtractSchema", "POST", "/api/v2/extract/schema/validation", `{"data_schema":` + invoiceSchema + `}`, []int{200}},
		{"ValidateExtractSchema", "POST", "/api/v2/extract/schema/validation", `{"data_schema":[]}`, []int{422}},
		{"GenerateExtractSchema", "POST", "/api/v2/extract/schema/generate", `{"prompt":"total"}`, []int{200}},
		{"GenerateExtractSchema", "POST", "/api/v2/extract/schema/generate", `{"prompt":3}`, []int{422}},
		{"ListFiles", "GET", "/api/v1/beta/files?file_ids=" + file, "", []int{200}},
		{"ListFiles", "GET", "/api/v1/beta/files?page_size=-1", "", []int{400}},
		{"QueryFiles", "POST", "/api/v1/beta/files/query", `{"order_by":"name desc"}`, []int{200}},
		{"QueryFiles", "POST", "/api/v1/beta/files/query", `{"order_by":"size"}`, []int{400}},
		{"GetFile", "GET", "/api/v1/beta/files/" + file, "", []int{200}},
		{"GetFile", "GET", "/api/v1/beta/files/dfl-nope", "", []int{404}},
		{"GetFileContent", "GET", "/api/v1/beta/files/" + file + "/content", "", []int{200}},
		{"GetFileContent", "GET", "/api/v1/beta/files/" + file + "/content?expires_at_seconds=soon", "", []int{422}},
		{"ListConfigurations", "GET", "/api/v1/beta/configurations?latest_only=true&name=c", "", []int{200}},
		{"ListConfigurations", "GET", "/api/v1/beta/configurations?product_type=nope", "", []int{422}},
		{"GetConfiguration", "GET", "/api/v1/beta/configurations/" + cfgID, "", []int{200}},
		{"GetConfiguration", "GET", "/api/v1/beta/configurations/cfg-nope", "", []int{404}},
		{"UpdateConfiguration", "PUT", "/api/v1/beta/configurations/" + cfgID, `{"parameters":{"product_type":"classify_v2","rules":[{"description":"an invoice","type":"invoice"}]}}`, []int{200}},
		{"UpdateConfiguration", "PUT", "/api/v1/beta/configurations/" + cfgID, `{"parameters":{"product_type":"classify_v2","rules":[]}}`, []int{422}},
		{"CreateConfiguration", "POST", "/api/v1/beta/configurations", `{"name":"p","parameters":{"product_type":"parse_v2","tier":"fast","version":"latest","processing_options":{"ocr_parameters":{"languages":["en","de"]}}}}`, []int{200}},
		{"CreateConfiguration", "POST", "/api/v1/beta/configurations", `{"name":"p","parameters":{"product_type":"mystery"}}`, []int{422}},
		{"DeleteConfiguration", "DELETE", "/api/v1/beta/configurations/" + cfgID, "", []int{204}},
		{"DeleteConfiguration", "DELETE", "/api/v1/beta/configurations/" + cfgID, "", []int{404}},
		{"DeleteFile", "DELETE", "/api/v1/beta/files/" + file, "", []int{204}},
		{"DeleteFile", "DELETE", "/api/v1/beta/files/" + file, "", []int{404}},
	}
	seen := map[string]bool{}
	for _, c := range calls {
		var body any
		if c.body != "" {
			body = c.body
		}
		r := a.do(c.method, c.path, body)
		if !slices.Contains(c.want, r.status) {
			t.Errorf("%s %s: %d %s, want %v", c.method, c.path, r.status, r.body, c.want)
		}
		seen[c.op] = true
	}
	seen["UploadFile"] = true
	if r := a.upload("x.txt", "", []byte("x")); r.status != 422 {
		t.Errorf("upload without purpose: %d, want 422", r.status)
	}
	if r := a.upload("x.txt", "archive", []byte("x")); r.status != 400 {
		t.Errorf("upload with an unknown purpose: %d, want 400", r.status)
	}
	if len(seen) != 18 {
		t.Errorf("drove %d operations, want 18", len(seen))
	}
	if st := a.s.Stats(); len(st.Requests) != 18 {
		t.Errorf("server saw %d operations: %v", len(st.Requests), st.Requests)
	}
}

func TestConcurrentUse(t *testing.T) {
	a, _ := newAPI(t, extracttest.WithJobDuration(0))
	file := a.s.AddFile("a.txt", []byte("Vendor: V"))
	var wg sync.WaitGroup
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 20; i++ {
				r, err := a.try("POST", "/api/v2/extract", createBody(file, invoiceSchema, ""))
				if err != nil || r.status != 200 {
					t.Errorf("create: %v %d", err, r.status)
					return
				}
				var j jobJSON
				json.Unmarshal(r.body, &j)
				if r, err := a.try("GET", "/api/v2/extract/"+j.ID, nil); err != nil || r.status != 200 {
					t.Errorf("get: %v", err)
				}
			}
		}()
	}
	wg.Wait()
	if n := a.s.JobsCreatedFor(file); n != 160 {
		t.Fatalf("created %d", n)
	}
}

func TestCloseWaitsForInflightRequests(t *testing.T) {
	s := extracttest.NewServer()
	s.InjectFault(extracttest.Fault{Kind: extracttest.FaultLatency, Delay: time.Hour})
	done := make(chan error, 1)
	go func() {
		req, _ := http.NewRequest("GET", s.URL+"/api/v2/extract", nil)
		req.Header.Set("Authorization", "Bearer k")
		res, err := s.Client().Do(req)
		if err == nil {
			res.Body.Close()
		}
		done <- err
	}()
	for s.Stats().Requests["ListExtractJobs"] == 0 {
		time.Sleep(time.Millisecond)
	}
	s.Close() // must not wait the hour: closing the connection ends the wait
	if err := <-done; err == nil {
		t.Fatal("request in flight at Close succeeded")
	}
}
