package main

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/extract-go/llamaextract/extracttest"
)

// Every flag is checked before anything is uploaded: a bad one is a usage
// error (exit 2) and the service sees nothing.
func TestExtractFlagsCheckedBeforeUpload(t *testing.T) {
	srv, env := emulatorEnv(t)
	doc, schema := writeFile(t, "doc.txt", "Total: 3"), writeFile(t, "s.json", schemaJSON)
	for _, args := range [][]string{
		{"--pages", "3-1,x"},
		{"--pages", "0"},
		{"--pages", "1,,2"},
		{"--max-pages", "-3"},
		{"--timeout", "-1s"},
		{"--base-url", "http://example.com"},
		{"--base-url", "::not a url"},
	} {
		r := cli(t, env, append([]string{"extract", doc, "--schema", schema}, args...)...)
		if r.code != exitUsage {
			t.Errorf("%v: exit %d, want %d (usage)\n%s", args, r.code, exitUsage, r.stderr)
		}
	}
	if n := srv.Stats().Requests["UploadFile"]; n != 0 {
		t.Fatalf("%d uploads before the flags were checked", n)
	}
	if r := cli(t, env, "extract", doc, "--schema", schema, "--pages", "1, 3-4"); r.code != exitOK {
		t.Fatalf("valid --pages refused: %d %s", r.code, r.stderr)
	}
}

// --pages is read by the parser ExtractConfig.TargetPages is checked with:
// what the service would refuse (a page twice, a page past the bound, a
// blank list) is a usage error that names the flag and says what to write.
func TestPagesFlagParsedAsTargetPages(t *testing.T) {
	srv, env := emulatorEnv(t)
	doc, schema := writeFile(t, "doc.txt", "Total: 3"), writeFile(t, "s.json", schemaJSON)
	for pages, hint := range map[string]string{
		"1-3,2":   `--pages "1-3,2": page 2 is listed twice in "1-3,2"; list each page once`,
		"1,x":     `--pages "1,x": item 2 ("x"): "x" is not a page number; write 1-based pages and ranges separated by commas, such as "1,3,5-7"`,
		"2,5-4":   `--pages "2,5-4": item 2 ("5-4") runs backwards; write it 4-5`,
		" ":       `--pages " ": item 1 (" "): a page number is missing`,
		"1000001": "page 1000001 is more than 1000000",
	} {
		r := cli(t, env, "extract", doc, "--schema", schema, "--pages", pages)
		if r.code != exitUsage || !strings.Contains(r.stderr, hint) {
			t.Errorf("--pages %q: exit %d, want %d (usage) saying %q:\n%s", pages, r.code, exitUsage, hint, r.stderr)
		}
	}
	if n := len(srv.Stats().Requests); n != 0 {
		t.Fatalf("%d requests before --pages was checked", n)
	}
}

// The API key never reaches the CLI's output, even when a FAILED job's
// error_message (or anything else the server sends) quotes it.
func TestCLIKeyNeverPrinted(t *testing.T) {
	const key = "llx-CLI-SECRET-0123456789"
	job := `{"id":"ext-1","created_at":"2026-01-01T00:00:00Z","updated_at":"2026-01-01T00:00:00Z","file_input":"dfl-1","project_id":"prj-1","status":"FAILED","error_message":"token %s rejected"}`
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Echo", r.Header.Get("Authorization"))
		fmt.Fprintf(w, job, strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer "))
	}))
	defer hs.Close()
	env := []string{"LLAMA_CLOUD_BASE_URL=" + hs.URL, "LLAMA_CLOUD_API_KEY=" + key, "LLAMAEXTRACT_POLL_INTERVAL=5ms"}
	for _, args := range [][]string{
		{"extract", "dfl-1", "--config-id", "cfg-1", "--verbose"},
		{"extract", "dfl-1", "--config-id", "cfg-1", "--no-wait"},
		{"jobs", "get", "ext-1"},
	} {
		r := cli(t, env, args...)
		if !strings.Contains(r.stdout+r.stderr, "[redacted]") {
			t.Errorf("%v: the server's echo did not reach the output, so nothing was tested:\n%s%s", args, r.stdout, r.stderr)
		}
		if out := r.stdout + r.stderr; strings.Contains(out, key) || strings.Contains(out, key[:len(key)/2]) {
			t.Errorf("%v: the key is in the output:\n%s", args, out)
		}
	}
}

// The CLI uploads a fresh file per run, so a create whose answer is lost
// adopts the job it made: one job, exit 0.
func TestCLIAdoptsOnItsOwnUpload(t *testing.T) {
	srv, env := emulatorEnv(t)
	srv.InjectFault(extracttest.Fault{Operation: "CreateExtractJob", Kind: extracttest.FaultDropAfter, Times: 1})
	doc, schema := writeFile(t, "doc.txt", "Vendor: Acme\nTotal: 3"), writeFile(t, "s.json", schemaJSON)
	if r := cli(t, env, "extract", doc, "--schema", schema); r.code != exitOK {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	if st := srv.Stats(); st.JobsCreated != 1 || st.Requests["CreateExtractJob"] != 1 {
		t.Fatalf("%d jobs after %d creates; want the lost answer's job adopted", st.JobsCreated, st.Requests["CreateExtractJob"])
	}
}
