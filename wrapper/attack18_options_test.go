package wrapper_test

// Attack on issue 18, promise 4 ("Options that cannot be ignored"): every
// option constructor against every call that takes options. An option
// compiles exactly where the documentation says the call reads it; a nil
// option is skipped; OnStatus given twice calls both.

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/extract-go/llamaextract/extracttest"
	"github.com/extract-go/llamaextract/wrapper"
	"github.com/extract-go/llamaextract/wrapper/batch"
)

// attackOptions are the constructors, each with the calls (keys of
// attackCalls) that read it, as the godoc and CHANGELOG v0.3.0 say.
var attackOptions = []struct {
	expr  string
	reads []string
}{
	{`wrapper.WithExpand(wrapper.ExpandUsage)`, []string{"GetJob", "GetResult", "Rows", "ListJobs", "Jobs", "Wait", "Run", "Extract", "ExtractRows", "batch.WithWaitOptions", "CheckWaitOptions"}},
	{`wrapper.OnStatus(nil)`, []string{"Wait", "Run", "Extract", "ExtractRows", "batch.WithWaitOptions", "CheckWaitOptions"}},
	{`wrapper.WithCancelOnDone()`, []string{"Wait", "Run", "Extract", "ExtractRows", "batch.WithWaitOptions", "CheckWaitOptions"}},
	{`wrapper.WithPollErrors(2)`, []string{"Wait", "Run", "Extract", "ExtractRows", "batch.WithWaitOptions", "CheckWaitOptions"}},
	{`wrapper.WithSchedule(nil)`, []string{"Wait", "Run", "Extract", "ExtractRows", "batch.WithWaitOptions", "CheckWaitOptions"}},
	{`wrapper.WithWaitTimeout(time.Second)`, []string{"Wait", "Run", "Extract", "ExtractRows", "batch.WithWaitOptions", "CheckWaitOptions"}},
	{`wrapper.WithoutResult()`, []string{"Wait", "Run", "batch.WithWaitOptions", "CheckWaitOptions"}},
	{`wrapper.WithPurpose(wrapper.PurposeExtract)`, []string{"UploadFile", "Upload", "Extract", "ExtractRows", "batch.WithUploadOptions"}},
	{`wrapper.WithExternalID("x")`, []string{"UploadFile", "Upload", "batch.WithUploadOptions"}},
	{`wrapper.WithAPIKey("k")`, []string{"wrapper.New"}},
	{`wrapper.WithClock(nil)`, []string{"wrapper.New"}},
	{`batch.WithState("x.state")`, []string{"batch.New", "batch.ExtractAll"}},
	{`batch.WithOwnedFiles()`, []string{"batch.New", "batch.ExtractAll"}},
	{`batch.WithRetryFailed()`, []string{"batch.New", "batch.ExtractAll"}},
	{`batch.WithOutputMark(nil)`, []string{"batch.New", "batch.ExtractAll"}},
	{`batch.WithWebhooks()`, []string{"batch.New", "batch.ExtractAll"}},
	{`batch.WithUploadOptions()`, []string{"batch.New", "batch.ExtractAll"}},
	{`batch.WithConcurrency(4)`, []string{"batch.New", "batch.ExtractAll", "batch.RunAll"}},
	{`batch.WithCreateRate(1)`, []string{"batch.New", "batch.ExtractAll", "batch.RunAll"}},
	{`batch.WithDrain(nil)`, []string{"batch.New", "batch.ExtractAll", "batch.RunAll"}},
	{`batch.WithProgress(nil)`, []string{"batch.New", "batch.ExtractAll", "batch.RunAll"}},
	{`batch.WithWaitOptions()`, []string{"batch.New", "batch.ExtractAll", "batch.RunAll"}},
}

// attackCalls are the calls that take options; %s is where the option goes.
var attackCalls = map[string]string{
	"GetJob":                  `c.GetJob(ctx, "ext-1", %s)`,
	"GetResult":               `wrapper.GetResult[any](ctx, c, "ext-1", %s)`,
	"Rows":                    `wrapper.Rows[any](ctx, c, "ext-1", %s)`,
	"ListJobs":                `c.ListJobs(ctx, wrapper.JobFilter{}, %s)`,
	"Jobs":                    `c.Jobs(ctx, wrapper.JobFilter{}, %s)`,
	"Wait":                    `c.Wait(ctx, "ext-1", %s)`,
	"Run":                     `c.Run(ctx, req, %s)`,
	"Extract":                 `wrapper.Extract[any](ctx, c, "a.pdf", nil, %s)`,
	"ExtractRows":             `wrapper.ExtractRows[any](ctx, c, "a.pdf", nil, %s)`,
	"UploadFile":              `c.UploadFile(ctx, "a.pdf", %s)`,
	"Upload":                  `c.Upload(ctx, "a.pdf", nil, %s)`,
	"wrapper.New":             `wrapper.New(%s)`,
	"CheckWaitOptions":        `wrapper.CheckWaitOptions(%s)`,
	"batch.New":               `batch.New[any](c, nil, %s)`,
	"batch.ExtractAll":        `batch.ExtractAll[any](ctx, c, nil, nil, %s)`,
	"batch.RunAll":            `batch.RunAll(ctx, c, nil, %s)`,
	"batch.WithWaitOptions":   `batch.WithWaitOptions(%s)`,
	"batch.WithUploadOptions": `batch.WithUploadOptions(%s)`,
}

func TestAttack18EveryOptionAgainstEveryCall(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the go command")
	}
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	overlay := map[string]string{}
	var pkgs []string
	want := map[string]bool{} // package -> must compile
	what := map[string]string{}
	i := 0
	for _, o := range attackOptions {
		for _, call := range slices.Sorted(func(yield func(string) bool) {
			for k := range attackCalls {
				if !yield(k) {
					return
				}
			}
		}) {
			name := fmt.Sprintf("m%03d", i)
			i++
			body := "\t" + fmt.Sprintf(attackCalls[call], o.expr) + "\n"
			src := filepath.Join(dir, name+".go")
			if err := os.WriteFile(src, []byte(optionSnippetHeader+body+"\n}\n"), 0o600); err != nil {
				t.Fatal(err)
			}
			overlay[filepath.Join(root, "wrapper", "zz_attack18opt", name, "p.go")] = src
			pkgs = append(pkgs, "./wrapper/zz_attack18opt/"+name)
			want[name] = slices.Contains(o.reads, call)
			what[name] = fmt.Sprintf("%s with %s", call, o.expr)
		}
	}
	ov, _ := json.Marshal(map[string]any{"Replace": overlay})
	ovPath := filepath.Join(dir, "overlay.json")
	if err := os.WriteFile(ovPath, ov, 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("go", append([]string{"build", "-overlay=" + ovPath, "-o", os.DevNull}, pkgs...)...)
	cmd.Dir = root
	out, _ := cmd.CombinedOutput()
	failed := map[string]string{}
	cur := ""
	for _, line := range strings.Split(string(out), "\n") {
		if m := regexp.MustCompile(`zz_attack18opt/(m\d+)`).FindStringSubmatch(line); m != nil && strings.HasPrefix(line, "#") {
			cur = m[1]
			continue
		}
		if cur != "" {
			failed[cur] += line + "\n"
		}
	}
	for _, name := range slices.Sorted(func(yield func(string) bool) {
		for k := range want {
			if !yield(k) {
				return
			}
		}
	}) {
		e, broke := failed[name]
		switch {
		case want[name] && broke:
			t.Errorf("%s: documented as read, does not compile:\n%s", what[name], e)
		case !want[name] && !broke:
			t.Errorf("%s: compiles, but the call does not read it", what[name])
		case broke && strings.Contains(e, "undefined"):
			t.Errorf("%s: fails for the wrong reason:\n%s", what[name], e)
		}
	}
}

// A nil option of every family is skipped, at run time, by every call.
func TestAttack18NilOptionsSkipped(t *testing.T) {
	ctx := context.Background()
	c, srv := newClient(t)
	file := srv.AddFile("invoice.txt", []byte(invoiceDoc))
	p := filepath.Join(t.TempDir(), "invoice.txt")
	if err := os.WriteFile(p, []byte(invoiceDoc), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := wrapper.New(nil, wrapper.WithAPIKey("k"), nil); err != nil {
		t.Errorf("New(nil): %v", err)
	}
	cfg := wrapper.ExtractConfig{Schema: wrapper.MustSchemaFor[Invoice]()}
	job, err := c.Run(ctx, wrapper.CreateJobRequest{FileInput: file, Config: cfg}, nil, fast, nil)
	if err != nil {
		t.Fatalf("Run(nil): %v", err)
	}
	var nilGet wrapper.GetOption
	var nilList wrapper.ListOption
	var nilWait wrapper.WaitOption
	var nilExtract wrapper.ExtractOption
	var nilUpload wrapper.UploadOption
	check := func(what string, err error) {
		t.Helper()
		if err != nil {
			t.Errorf("%s with a nil option: %v", what, err)
		}
	}
	_, err = c.GetJob(ctx, job.ID, nilGet)
	check("GetJob", err)
	_, _, err = wrapper.GetResult[Invoice](ctx, c, job.ID, nilGet)
	check("GetResult", err)
	_, err = c.ListJobs(ctx, wrapper.JobFilter{}, nilList)
	check("ListJobs", err)
	for _, err := range c.Jobs(ctx, wrapper.JobFilter{}, nilList) {
		check("Jobs", err)
	}
	_, err = c.Wait(ctx, job.ID, nilWait)
	check("Wait", err)
	check("CheckWaitOptions", wrapper.CheckWaitOptions(nilWait, nil))
	_, _, err = wrapper.Extract[Invoice](ctx, c, p, wrapper.ExtractConfig{}, nilExtract, fast)
	check("Extract", err)
	_, err = c.UploadFile(ctx, p, nilUpload)
	check("UploadFile", err)
	for it, err := range batch.ExtractAll[Invoice](ctx, c, []string{p}, wrapper.ExtractConfig{}, nil,
		batch.WithWaitOptions(nil, fast), batch.WithUploadOptions(nil)) {
		check("batch.ExtractAll", err)
		_ = it
	}
	for r, err := range batch.RunAll(ctx, c, []wrapper.CreateJobRequest{{FileInput: file, Config: cfg}}, nil, batch.WithWaitOptions(fast)) {
		check("batch.RunAll", err)
		_ = r
	}
	// A nil func given to OnStatus and a nil Schedule: documented?
	_, err = c.Wait(ctx, job.ID, wrapper.OnStatus(nil), wrapper.WithSchedule(nil))
	check("Wait(OnStatus(nil), WithSchedule(nil))", err)
}

// OnStatus given twice calls both, in order, on every status seen; in
// Extract and in a batch's waits too.
func TestAttack18OnStatusTwiceCallsBoth(t *testing.T) {
	ctx := context.Background()
	clk := extracttest.NewFakeClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	clk.SetAutoAdvance(true)
	srv := extracttest.NewTestServer(t, extracttest.WithClock(clk), extracttest.WithJobDuration(10*time.Second))
	c, err := wrapper.New(wrapper.WithBaseURL(srv.URL), wrapper.WithAPIKey("test-key"), wrapper.WithHTTPClient(srv.Client()), wrapper.WithClock(clk))
	if err != nil {
		t.Fatal(err)
	}
	file := srv.AddFile("invoice.txt", []byte(invoiceDoc))
	var calls []string
	a := wrapper.OnStatus(func(j *wrapper.Job) { calls = append(calls, "a:"+string(j.Status)) })
	b := wrapper.OnStatus(func(j *wrapper.Job) { calls = append(calls, "b:"+string(j.Status)) })
	cfg := wrapper.ExtractConfig{Schema: wrapper.MustSchemaFor[Invoice]()}
	if _, err := c.Run(ctx, wrapper.CreateJobRequest{FileInput: file, Config: cfg}, a, b); err != nil {
		t.Fatal(err)
	}
	if len(calls) < 2 || len(calls)%2 != 0 {
		t.Fatalf("Run: calls %v", calls)
	}
	for i := 0; i < len(calls); i += 2 {
		if calls[i][:2] != "a:" || calls[i+1][:2] != "b:" || calls[i][2:] != calls[i+1][2:] {
			t.Errorf("Run: not both, in order: %v", calls)
		}
	}
	calls = nil
	p := filepath.Join(t.TempDir(), "invoice.txt")
	if err := os.WriteFile(p, []byte(invoiceDoc), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, _, err := wrapper.Extract[Invoice](ctx, c, p, wrapper.ExtractConfig{}, a, b); err != nil {
		t.Fatal(err)
	}
	if len(calls) < 2 || calls[0][:2] != "a:" || calls[1][:2] != "b:" {
		t.Errorf("Extract: %v", calls)
	}
	calls = nil
	for _, err := range batch.ExtractAll[Invoice](ctx, c, []string{p}, wrapper.ExtractConfig{}, batch.WithWaitOptions(a, b), batch.WithConcurrency(1)) {
		if err != nil {
			t.Fatal(err)
		}
	}
	if len(calls) < 2 || calls[0][:2] != "a:" || calls[1][:2] != "b:" {
		t.Errorf("batch.ExtractAll: %v", calls)
	}
}

// A batch that decodes results cannot honour WithoutResult: it must refuse
// it before anything is uploaded, not yield zero values.
func TestAttack18BatchWithoutResultRefused(t *testing.T) {
	ctx := context.Background()
	c, srv := newClient(t)
	p := filepath.Join(t.TempDir(), "invoice.txt")
	if err := os.WriteFile(p, []byte(invoiceDoc), 0o600); err != nil {
		t.Fatal(err)
	}
	var errs []error
	for it, err := range batch.ExtractAll[Invoice](ctx, c, []string{p}, wrapper.ExtractConfig{}, batch.WithWaitOptions(wrapper.WithoutResult(), fast)) {
		if err == nil && it.Value.InvoiceNumber == "" {
			t.Errorf("ExtractAll with WithoutResult yields a zero value and no error: %+v", it)
		}
		errs = append(errs, err)
	}
	st := srv.Stats()
	if st.Requests["UploadFile"] != 0 || st.JobsCreated != 0 {
		t.Errorf("ExtractAll with WithoutResult (which it cannot honour) uploaded %d files and created %d jobs (billed) before failing: %v",
			st.Requests["UploadFile"], st.JobsCreated, errs)
	}
}

// WithExpand given twice asks for both (as OnStatus given twice calls both):
// an option is never silently dropped by a later one of its kind.
func TestAttack18WithExpandTwiceAsksForBoth(t *testing.T) {
	ctx := context.Background()
	var got []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r.URL.Query()["expand"]
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"id":"ext-1","status":"COMPLETED","file_input":"dfl-1","project_id":"p","created_at":"2026-01-01T00:00:00Z","updated_at":"2026-01-01T00:00:00Z"}`)
	}))
	t.Cleanup(srv.Close)
	c, err := wrapper.New(wrapper.WithBaseURL(srv.URL), wrapper.WithAPIKey("k"))
	if err != nil {
		t.Fatal(err)
	}
	two := []wrapper.ExpandOption{wrapper.WithExpand(wrapper.ExpandConfiguration), wrapper.WithExpand(wrapper.ExpandUsage)}
	if _, err := c.GetJob(ctx, "ext-1", two[0], two[1]); err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(got, "configuration") || !slices.Contains(got, "usage") {
		t.Errorf("GetJob with WithExpand twice sent expand=%v", got)
	}
	if _, err := c.Wait(ctx, "ext-1", two[0], two[1]); err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(got, "configuration") || !slices.Contains(got, "usage") {
		t.Errorf("Wait with WithExpand twice sent expand=%v", got)
	}
}
