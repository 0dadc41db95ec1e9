package extracttest_test

import (
	"bytes"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/extract-go/llamaextract/extracttest"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

type resp struct {
	status int
	header http.Header
	body   []byte
}

func (r resp) json(t *testing.T, v any) {
	t.Helper()
	if err := json.Unmarshal(r.body, v); err != nil {
		t.Fatalf("decode %d %s: %v", r.status, r.body, err)
	}
}

func (r resp) detail(t *testing.T) string {
	t.Helper()
	var e struct {
		Detail string `json:"detail"`
	}
	r.json(t, &e)
	return e.Detail
}

type api struct {
	t   *testing.T
	s   *extracttest.Server
	key string
}

func newAPI(t *testing.T, opts ...extracttest.Option) (*api, *extracttest.FakeClock) {
	clk := extracttest.NewFakeClock(time.Time{})
	s := extracttest.NewTestServer(t, append([]extracttest.Option{extracttest.WithClock(clk)}, opts...)...)
	return &api{t: t, s: s, key: "test-key"}, clk
}

func (a *api) do(method, path string, body any) resp {
	a.t.Helper()
	r, err := a.try(method, path, body)
	if err != nil {
		a.t.Fatalf("%s %s: %v", method, path, err)
	}
	return r
}

func (a *api) try(method, path string, body any) (resp, error) {
	var rd io.Reader
	ctype := ""
	switch b := body.(type) {
	case nil:
	case string:
		rd, ctype = strings.NewReader(b), "application/json"
	default:
		raw, _ := json.Marshal(b)
		rd, ctype = bytes.NewReader(raw), "application/json"
	}
	req, _ := http.NewRequest(method, a.s.URL+path, rd)
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	if a.key != "" {
		req.Header.Set("Authorization", "Bearer "+a.key)
	}
	res, err := a.s.Client().Do(req)
	if err != nil {
		return resp{}, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	return resp{status: res.StatusCode, header: res.Header, body: b}, err
}

func (a *api) upload(name, purpose string, content []byte) resp {
	a.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	if content != nil {
		fw, _ := mw.CreateFormFile("file", name)
		fw.Write(content)
	}
	if purpose != "" {
		mw.WriteField("purpose", purpose)
	}
	mw.Close()
	req, _ := http.NewRequest("POST", a.s.URL+"/api/v1/beta/files", &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Authorization", "Bearer "+a.key)
	res, err := a.s.Client().Do(req)
	if err != nil {
		a.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return resp{status: res.StatusCode, header: res.Header, body: b}
}

type jobJSON struct {
	ID              string          `json:"id"`
	Status          string          `json:"status"`
	CreatedAt       string          `json:"created_at"`
	UpdatedAt       string          `json:"updated_at"`
	FileInput       string          `json:"file_input"`
	ProjectID       string          `json:"project_id"`
	ErrorMessage    *string         `json:"error_message"`
	ConfigurationID *string         `json:"configuration_id"`
	Configuration   json.RawMessage `json:"configuration"`
	ExtractResult   json.RawMessage `json:"extract_result"`
	ExtractMetadata json.RawMessage `json:"extract_metadata"`
	Usage           json.RawMessage `json:"usage"`
	Metadata        json.RawMessage `json:"metadata"`
}

type pageJSON struct {
	Items         []jobJSON `json:"items"`
	NextPageToken *string   `json:"next_page_token"`
}

const invoiceSchema = `{"type":"object","properties":{"vendor":{"type":"string","description":"Seller"},"total":{"type":"number"},"invoice_number":{"type":"string"},"paid":{"type":"boolean"},"due_date":{"anyOf":[{"type":"string"},{"type":"null"}]}}}`

func createBody(fileInput, schema string, extra string) string {
	return `{"file_input":"` + fileInput + `","configuration":{"data_schema":` + schema + extra + `}}`
}

func (a *api) create(fileInput string) jobJSON {
	a.t.Helper()
	r := a.do("POST", "/api/v2/extract", createBody(fileInput, invoiceSchema, ""))
	if r.status != 200 {
		a.t.Fatalf("create: %d %s", r.status, r.body)
	}
	var j jobJSON
	r.json(a.t, &j)
	return j
}

func (a *api) get(id, query string) jobJSON {
	a.t.Helper()
	r := a.do("GET", "/api/v2/extract/"+id+query, nil)
	if r.status != 200 {
		a.t.Fatalf("get: %d %s", r.status, r.body)
	}
	var j jobJSON
	r.json(a.t, &j)
	return j
}

// createWithSchema creates a job on fileInput with schema as its data_schema.
func (a *api) createWithSchema(fileInput, schema string) jobJSON {
	a.t.Helper()
	r := a.do("POST", "/api/v2/extract", createBody(fileInput, schema, ""))
	if r.status != 200 {
		a.t.Fatalf("create: %d %s", r.status, r.body)
	}
	var j jobJSON
	r.json(a.t, &j)
	return j
}
