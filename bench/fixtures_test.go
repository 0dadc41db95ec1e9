package bench

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Row is the caller's type for a per_table_row result.
type Row struct {
	Date        string  `json:"date"`
	Description string  `json:"description"`
	Amount      float64 `json:"amount"`
}

// floorJob is the hand-written struct of the floor: every field the small
// job carries, decoded into the same kinds of Go values the generated model
// uses, so the comparison is like for like.
type floorJob struct {
	ID              string         `json:"id"`
	CreatedAt       time.Time      `json:"created_at"`
	UpdatedAt       time.Time      `json:"updated_at"`
	FileInput       string         `json:"file_input"`
	ProjectID       string         `json:"project_id"`
	Status          string         `json:"status"`
	ConfigurationID *string        `json:"configuration_id"`
	ErrorMessage    *string        `json:"error_message"`
	Configuration   *floorConfig   `json:"configuration"`
	ExtractResult   map[string]any `json:"extract_result"`
	Metadata        *struct {
		Usage *struct {
			NumPagesExtracted *int `json:"num_pages_extracted"`
			NumDocumentTokens *int `json:"num_document_tokens"`
			NumOutputTokens   *int `json:"num_output_tokens"`
			NumPagesBilled    *int `json:"num_pages_billed"`
		} `json:"usage"`
	} `json:"metadata"`
}

type floorConfig struct {
	DataSchema       map[string]any `json:"data_schema"`
	CiteSources      *bool          `json:"cite_sources"`
	ConfidenceScores *bool          `json:"confidence_scores"`
	ExtractionTarget *string        `json:"extraction_target"`
	Tier             *string        `json:"tier"`
	Version          *string        `json:"version"`
}

type floorRowsJob struct {
	ID            string    `json:"id"`
	CreatedAt     time.Time `json:"created_at"`
	UpdatedAt     time.Time `json:"updated_at"`
	FileInput     string    `json:"file_input"`
	ProjectID     string    `json:"project_id"`
	Status        string    `json:"status"`
	ExtractResult []Row     `json:"extract_result"`
}

type floorPage struct {
	Items         []floorJob `json:"items"`
	NextPageToken *string    `json:"next_page_token"`
}

const jobHead = `"created_at":"2026-01-01T00:00:00Z","updated_at":"2026-01-01T00:00:09Z","file_input":"dfl-aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee","project_id":"prj-aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee","status":"COMPLETED"`

// smallJob is a completed per_doc job with its configuration: about 2 KB.
func smallJob(id string) []byte {
	props := []string{}
	for _, f := range []string{"invoice_number", "invoice_date", "vendor", "vendor_address", "bill_to", "currency", "subtotal", "tax", "total", "payment_terms"} {
		typ := "string"
		if f == "subtotal" || f == "tax" || f == "total" {
			typ = "number"
		}
		props = append(props, fmt.Sprintf(`%q:{"type":%q,"description":"The %s as printed on the invoice"}`, f, typ, strings.ReplaceAll(f, "_", " ")))
	}
	return []byte(`{"id":"` + id + `",` + jobHead +
		`,"configuration":{"data_schema":{"type":"object","properties":{` + strings.Join(props, ",") + `}},"cite_sources":true,"confidence_scores":true,"extraction_target":"per_doc","tier":"cost_effective","version":"2026-01-08"}` +
		`,"extract_result":{"invoice_number":"INV-2026-0042","invoice_date":"2026-03-14","vendor":"Acme Corporation","vendor_address":"123 Industrial Way, Springfield","bill_to":"Globex Ltd","currency":"USD","subtotal":1100.5,"tax":104,"total":1204.5,"payment_terms":"Net 30"}` +
		`,"metadata":{"usage":{"num_pages_extracted":1,"num_document_tokens":812,"num_output_tokens":40,"num_pages_billed":1}}}`)
}

// rowsJob is a completed per_table_row job with n rows (about 100 bytes each).
func rowsJob(n int) []byte {
	var b strings.Builder
	b.Grow(n * 110)
	b.WriteString(`{"id":"ext-rows",` + jobHead + `,"extract_result":[`)
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"date":"2026-%02d-%02d","description":"Card payment %06d at a shop","amount":%d.%02d}`, 1+i%12, 1+i%28, i, i%5000, i%100)
	}
	b.WriteString(`]}`)
	return []byte(b.String())
}

type fixtures struct {
	srv     *httptest.Server
	bodies  map[string][]byte
	page    []byte // one page of 100 small jobs, without the token
	perPage int
}

var (
	fxOnce sync.Once
	fx     *fixtures
)

// server starts one loopback server for every benchmark in the run.
func server(tb testing.TB) *fixtures {
	fxOnce.Do(func() {
		f := &fixtures{bodies: map[string][]byte{
			"ext-small": smallJob("ext-small"),
			"ext-10k":   rowsJob(10_000),
			"ext-100k":  rowsJob(100_000),
		}, perPage: 100}
		items := make([]string, f.perPage)
		for i := range items {
			items[i] = string(smallJob("ext-" + strconv.Itoa(i)))
		}
		f.page = []byte(`{"items":[` + strings.Join(items, ",") + `]`)
		mux := http.NewServeMux()
		mux.HandleFunc("GET /api/v2/extract/{id}", func(w http.ResponseWriter, r *http.Request) {
			body, ok := f.bodies[r.PathValue("id")]
			if !ok {
				http.NotFound(w, r)
				return
			}
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("Content-Length", strconv.Itoa(len(body)))
			w.Write(body)
		})
		// GET /api/v2/extract?page_size=100&page_token=N&job_ids=limit:N
		// serves limit/100 pages of 100 jobs.
		mux.HandleFunc("GET /api/v2/extract", func(w http.ResponseWriter, r *http.Request) {
			q := r.URL.Query()
			limit, _ := strconv.Atoi(strings.TrimPrefix(q.Get("file_input"), "limit:"))
			next, _ := strconv.Atoi(q.Get("page_token"))
			next += f.perPage
			w.Header().Set("Content-Type", "application/json")
			w.Write(f.page)
			if next < limit {
				fmt.Fprintf(w, `,"next_page_token":"%d"}`, next)
			} else {
				w.Write([]byte(`}`))
			}
		})
		f.srv = httptest.NewServer(mux)
		fx = f
	})
	return fx
}

func newTransport() *http.Transport {
	return &http.Transport{MaxIdleConnsPerHost: 16, ForceAttemptHTTP2: false}
}

// peakHeap runs fn once and reports the largest live heap it caused, in MB,
// sampling runtime/metrics-equivalent HeapAlloc every 100µs.
func peakHeap(b *testing.B, fn func()) {
	b.Helper()
	runtime.GC()
	var base runtime.MemStats
	runtime.ReadMemStats(&base)
	var peak atomic.Uint64
	stop := make(chan struct{})
	done := make(chan struct{})
	go func() {
		defer close(done)
		var ms runtime.MemStats
		t := time.NewTicker(100 * time.Microsecond)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				runtime.ReadMemStats(&ms)
				if ms.HeapAlloc > peak.Load() {
					peak.Store(ms.HeapAlloc)
				}
			}
		}
	}()
	fn()
	close(stop)
	<-done
	p := peak.Load()
	if p < base.HeapAlloc {
		p = base.HeapAlloc
	}
	b.ReportMetric(float64(p-base.HeapAlloc)/(1<<20), "peak-MB")
}

func decodeJSON(resp *http.Response, v any) error {
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		return fmt.Errorf("status %d", resp.StatusCode)
	}
	return json.NewDecoder(resp.Body).Decode(v)
}
