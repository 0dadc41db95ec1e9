package main

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/extract-go/llamaextract/extracttest"
)

// specReport is the part of `spec check --json` the tests read.
type specReport struct {
	Requests []struct {
		Operation string `json:"operation"`
		Status    int    `json:"status"`
	} `json:"requests"`
	Findings []struct {
		Severity  string `json:"severity"`
		Kind      string `json:"kind"`
		Operation string `json:"operation"`
		Path      string `json:"path"`
		Spec      string `json:"spec"`
		Got       string `json:"got"`
		Example   string `json:"example"`
	} `json:"findings"`
	Drift int `json:"drift"`
}

func decodeSpecReport(t *testing.T, r result) specReport {
	t.Helper()
	var rep specReport
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatalf("spec check --json: %v\nstdout:\n%s\nstderr:\n%s", err, r.stdout, r.stderr)
	}
	return rep
}

// Against the emulator, which serves openapi.yaml back, the whole tour
// (the extraction included) finds no drift.
func TestSpecCheckEmulatorHasNoDrift(t *testing.T) {
	srv, env := emulatorEnv(t)
	r := cli(t, env, "spec", "check", "--create", "--json")
	rep := decodeSpecReport(t, r)
	if r.code != 0 || rep.Drift != 0 || len(rep.Findings) != 0 {
		t.Fatalf("exit %d, findings %+v\nstderr: %s", r.code, rep.Findings, r.stderr)
	}
	ops := map[string]bool{}
	for _, e := range rep.Requests {
		ops[e.Operation+" "+strconv.Itoa(e.Status)] = true
	}
	for _, want := range []string{"ListExtractJobs 200", "ListFiles 200", "ListConfigurations 200", "UploadFile 200", "CreateExtractJob 200",
		"GetExtractJob 200", "GetFile 200", "GetExtractJob 404", "ValidateExtractSchema 200", "DeleteExtractJob 200", "DeleteFile 204"} {
		if !ops[want] {
			t.Errorf("the tour did not send %s: %v", want, rep.Requests)
		}
	}
	if got := srv.Stats().JobsCreated; got != 1 {
		t.Errorf("jobs created: %d, want 1", got)
	}
	// Without --create nothing is written.
	r = cli(t, env, "spec", "check")
	if r.code != 0 || !strings.Contains(r.stdout, "No drift") || srv.Stats().JobsCreated != 1 {
		t.Fatalf("read-only run: exit %d, jobs %d\n%s", r.code, srv.Stats().JobsCreated, r.stdout)
	}
}

// driftProxy serves the emulator through a proxy that changes every job it
// answers with: a member the spec does not have, a new status, a required
// member dropped and a member of another type.
func driftProxy(t *testing.T, srv *extracttest.Server, extra func(job map[string]any)) *httptest.Server {
	target, _ := url.Parse(srv.URL)
	rp := httputil.NewSingleHostReverseProxy(target)
	rp.Transport = srv.Client().Transport
	rp.ModifyResponse = func(resp *http.Response) error {
		if !strings.HasPrefix(resp.Request.URL.Path, "/api/v2/extract") || resp.StatusCode != http.StatusOK {
			return nil
		}
		raw, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			return err
		}
		var body map[string]any
		if json.Unmarshal(raw, &body) == nil {
			jobs := []any{body}
			if items, ok := body["items"].([]any); ok {
				jobs = items
			}
			for _, j := range jobs {
				if job, ok := j.(map[string]any); ok && job["file_input"] != nil {
					job["review_state"] = "open"
					job["status"] = "QUEUED_FOR_REVIEW"
					delete(job, "project_id")
					job["file_input"] = 42
					if extra != nil {
						extra(job)
					}
				}
			}
			raw, _ = json.Marshal(body)
		}
		resp.Body = io.NopCloser(bytes.NewReader(raw))
		resp.ContentLength = int64(len(raw))
		resp.Header.Set("Content-Length", strconv.Itoa(len(raw)))
		return nil
	}
	p := httptest.NewServer(rp)
	t.Cleanup(p.Close)
	return p
}

// seedJob creates a job on the emulator directly, so that the tour finds
// one to read.
func seedJob(t *testing.T, srv *extracttest.Server) {
	t.Helper()
	file := srv.AddFile("invoice.txt", []byte("Invoice Number: 1\n"))
	body := `{"file_input":"` + file + `","configuration":{"data_schema":` + schemaJSON + `}}`
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/api/v2/extract", strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer test-key")
	req.Header.Set("Content-Type", "application/json")
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("seed job: %d", resp.StatusCode)
	}
}

// Behind the proxy, each change is reported at its JSON path, in the list
// and in the job read with every expand, and the command exits 1.
func TestSpecCheckReportsDriftAtItsPath(t *testing.T) {
	srv, _ := emulatorEnv(t)
	seedJob(t, srv)
	p := driftProxy(t, srv, nil)
	r := cli(t, []string{"LLAMA_CLOUD_BASE_URL=" + p.URL, "LLAMA_CLOUD_API_KEY=test-key"}, "spec", "check", "--json")
	rep := decodeSpecReport(t, r)
	if r.code != exitDrift {
		t.Fatalf("exit %d, want %d\n%s\n%s", r.code, exitDrift, r.stdout, r.stderr)
	}
	type key struct{ sev, kind, op, path string }
	got := map[key]bool{}
	for _, f := range rep.Findings {
		got[key{f.Severity, f.Kind, f.Operation, f.Path}] = true
	}
	for _, op := range []struct{ name, at string }{{"GetExtractJob", "$"}, {"ListExtractJobs", "$.items[0]"}} {
		for _, want := range []key{
			{"drift", "unknown_member", op.name, op.at + ".review_state"},
			{"info", "new_value", op.name, op.at + ".status"},
			{"drift", "missing", op.name, op.at + ".project_id"},
			{"drift", "type", op.name, op.at + ".file_input"},
		} {
			if !got[want] {
				t.Errorf("no finding %+v in:\n%s", want, r.stdout)
			}
		}
	}
	if rep.Drift != 6 || len(rep.Findings) != 8 {
		t.Errorf("drift %d, findings %d; want 6 and 8 (nothing else):\n%s", rep.Drift, len(rep.Findings), r.stdout)
	}
	text := cli(t, []string{"LLAMA_CLOUD_BASE_URL=" + p.URL, "LLAMA_CLOUD_API_KEY=test-key"}, "spec", "check")
	for _, want := range []string{"GetExtractJob 200 $.review_state  [unknown_member]", `no member "review_state" in ExtractV2Job`,
		`example: "open"`, `got:     "QUEUED_FOR_REVIEW"`, "required in ExtractV2Job", "6 drift finding(s)"} {
		if !strings.Contains(text.stdout, want) {
			t.Errorf("text report lacks %q:\n%s", want, text.stdout)
		}
	}
}

// The key is in no byte of the output, even when the API echoes it (as a
// value, a member name, a status, an error) whole, by its first or last 8
// characters, or JSON-escaped.
func TestSpecCheckNeverPrintsTheKey(t *testing.T) {
	const apiKey = `llx-<Ab"C&d>\eF9z8y7x6w5v4u3t2s1<r&q>`
	first, last := apiKey[:8], apiKey[len(apiKey)-8:]
	srv, _ := emulatorEnv(t)
	seedJob(t, srv)
	p := driftProxy(t, srv, func(job map[string]any) {
		job["error_message"] = "bad key " + apiKey
		job["leak"] = apiKey
		job[first] = last
		job["status"] = last
		job["metadata"] = map[string]any{"usage": map[string]any{"num_pages_billed": first}}
	})
	env := []string{"LLAMA_CLOUD_BASE_URL=" + p.URL, "LLAMA_CLOUD_API_KEY=" + apiKey}
	forms := []string{}
	for _, s := range []string{apiKey, first, last} {
		esc, _ := json.Marshal(s)
		forms = append(forms, s, string(esc[1:len(esc)-1]), strconv.Quote(s)[1:len(strconv.Quote(s))-1])
	}
	for _, args := range [][]string{{"spec", "check"}, {"spec", "check", "--json"}, {"spec", "check", "-v"}} {
		r := cli(t, env, args...)
		if r.code != exitDrift {
			t.Fatalf("%v: exit %d\n%s\n%s", args, r.code, r.stdout, r.stderr)
		}
		for _, form := range forms {
			if strings.Contains(r.stdout, form) || strings.Contains(r.stderr, form) {
				t.Errorf("%v: output holds %q:\nstdout:\n%s\nstderr:\n%s", args, form, r.stdout, r.stderr)
			}
		}
	}
}

// A refused key and an unreachable API exit 3, not 1.
func TestSpecCheckNetworkAndAuthFailuresExit3(t *testing.T) {
	_, env := emulatorEnv(t, extracttest.WithAPIKey("the-right-key"))
	if r := cli(t, env, "spec", "check"); r.code != exitAPI || !strings.Contains(r.stderr, "401") {
		t.Fatalf("refused key: exit %d: %s", r.code, r.stderr)
	}
	closed := httptest.NewServer(http.NotFoundHandler())
	closed.Close()
	r := cli(t, []string{"LLAMA_CLOUD_BASE_URL=" + closed.URL, "LLAMA_CLOUD_API_KEY=k"}, "spec", "check")
	if r.code != exitAPI {
		t.Fatalf("unreachable API: exit %d: %s", r.code, r.stderr)
	}
	if r := cli(t, []string{"LLAMA_CLOUD_BASE_URL=" + closed.URL}, "spec", "check"); r.code != exitUsage {
		t.Fatalf("no key: exit %d: %s", r.code, r.stderr)
	}
}

// The help says what the check sends and what it costs.
func TestSpecCheckHelpSaysWhatItSendsAndCosts(t *testing.T) {
	r := cli(t, nil, "spec", "check", "--help")
	for _, want := range []string{"What it sends", "no credits", "--create", "about 5 credits", "GET  /api/v2/extract", "exit codes"} {
		if !strings.Contains(strings.ToLower(r.stdout), strings.ToLower(want)) {
			t.Errorf("help lacks %q:\n%s", want, r.stdout)
		}
	}
}

// make spec-live says it is skipped without a key, and with one runs the
// check (here against the emulator).
func TestMakeSpecLive(t *testing.T) {
	if _, err := exec.LookPath("make"); err != nil {
		t.Skip("no make")
	}
	makeRun := func(env ...string) (string, error) {
		cmd := exec.Command("make", "-s", "-C", "../..", "spec-live")
		cmd.Env = append(withoutKeys(os.Environ()), env...)
		out, err := cmd.CombinedOutput()
		return string(out), err
	}
	out, err := makeRun()
	if err != nil || !strings.Contains(out, "spec-live: skipped: LLAMA_CLOUD_API_KEY is not set") {
		t.Fatalf("without a key: %v\n%s", err, out)
	}
	_, env := emulatorEnv(t)
	out, err = makeRun(env...)
	if err != nil || !strings.Contains(out, "No drift") {
		t.Fatalf("with a key: %v\n%s", err, out)
	}
}

// A server that hands out the key as a job id and then drops the connection
// ends the check with exit 3, an error and a report that hold the key
// nowhere, and a report that does not claim "No drift".
func TestSpecCheckFailureNeverShowsTheKey(t *testing.T) {
	const apiKey = "llx-Zz9Yy8Xx7Ww6Vv5Uu4Tt3Ss2Rr1Qq0Pp9Oo8"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.URL.Path == "/api/v2/extract":
			w.Header().Set("Content-Type", "application/json")
			_, _ = io.WriteString(w, `{"items":[{"id":"`+apiKey+`","created_at":"2026-01-01T00:00:00Z","updated_at":"2026-01-01T00:00:00Z","file_input":"dfl-1","project_id":"prj-1","status":"RUNNING"}]}`)
		case strings.HasPrefix(r.URL.Path, "/api/v2/extract/"):
			c, _, err := w.(http.Hijacker).Hijack()
			if err == nil {
				c.Close()
			}
		default:
			w.Header().Set("Content-Type", "application/json")
			_, _ = io.WriteString(w, `{"items":[]}`)
		}
	}))
	defer srv.Close()
	env := []string{"LLAMA_CLOUD_BASE_URL=" + srv.URL, "LLAMA_CLOUD_API_KEY=" + apiKey}
	for _, args := range [][]string{{"spec", "check", "-v"}, {"spec", "check", "--json"}} {
		r := cli(t, env, args...)
		if r.code != exitAPI {
			t.Fatalf("%v: exit %d\n%s\n%s", args, r.code, r.stdout, r.stderr)
		}
		for _, piece := range []string{apiKey, apiKey[:8], apiKey[len(apiKey)-8:], apiKey[12:24]} {
			if strings.Contains(r.stdout+r.stderr, piece) {
				t.Errorf("%v: output holds %q:\nstdout:\n%s\nstderr:\n%s", args, piece, r.stdout, r.stderr)
			}
		}
		if strings.Contains(r.stdout, "No drift") || strings.Contains(r.stdout, `"complete": true`) {
			t.Errorf("%v: an unfinished check claims a verdict:\n%s", args, r.stdout)
		}
	}
}

// Ctrl-C during the check exits 130, as batch does: the check was stopped,
// the API did not fail (that is 3).
func TestSpecCheckInterruptedExits130(t *testing.T) {
	arrived := make(chan struct{}, 1)
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case arrived <- struct{}{}:
		default:
		}
		<-r.Context().Done() // the check waits here until it is interrupted
	}))
	defer hs.Close()
	cmd := exec.Command(binary, "spec", "check")
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "LLAMA_CLOUD_BASE_URL=" + hs.URL, "LLAMA_CLOUD_API_KEY=llx-k3y-5pec-ch3ck"}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	select {
	case <-arrived:
	case <-time.After(time.Minute):
		cmd.Process.Kill()
		t.Fatal("spec check sent no request")
	}
	if err := cmd.Process.Signal(os.Interrupt); err != nil {
		t.Fatal(err)
	}
	cmd.Wait()
	if code := cmd.ProcessState.ExitCode(); code != exitInterrupted || !strings.Contains(stderr.String(), "interrupted") {
		t.Fatalf("after Ctrl-C: exit %d, stderr:\n%s", code, stderr.String())
	}
	if !strings.Contains(stdout.String(), "not finished") {
		t.Fatalf("the report does not say the check did not finish:\n%s", stdout.String())
	}
}
