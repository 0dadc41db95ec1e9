package wrapper_test

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// optionSnippetHeader starts every snippet: c is a client, ctx a context,
// req a create request.
const optionSnippetHeader = `package p

import (
	"context"
	"time"

	"github.com/extract-go/llamaextract/wrapper"
	"github.com/extract-go/llamaextract/wrapper/batch"
)

var (
	_   = time.Second
	_   = batch.ErrStopped
	ctx = context.Background()
	c   *wrapper.Client
	req wrapper.CreateJobRequest
)

func f() {
`

// legalOptionCalls pass every option to every call that reads it.
const legalOptionCalls = `
	c.GetJob(ctx, "ext-1", wrapper.WithExpand(wrapper.ExpandUsage), nil)
	wrapper.GetResult[any](ctx, c, "ext-1", wrapper.WithExpand(wrapper.ExpandExtractMetadata))
	wrapper.Rows[any](ctx, c, "ext-1", wrapper.WithExpand(wrapper.ExpandExtractMetadata))
	c.ListJobs(ctx, wrapper.JobFilter{}, wrapper.WithExpand(wrapper.ExpandConfiguration))
	c.Jobs(ctx, wrapper.JobFilter{}, wrapper.WithExpand(wrapper.ExpandConfiguration))
	c.Wait(ctx, "ext-1", wrapper.WithExpand(), wrapper.WithSchedule(nil), wrapper.OnStatus(nil),
		wrapper.WithCancelOnDone(), wrapper.WithWaitTimeout(time.Second), wrapper.WithoutResult())
	c.Run(ctx, req, wrapper.WithExpand(), wrapper.WithSchedule(nil), wrapper.OnStatus(nil),
		wrapper.WithCancelOnDone(), wrapper.WithWaitTimeout(time.Second), wrapper.WithoutResult())
	wrapper.Extract[any](ctx, c, "a.pdf", nil, wrapper.WithExpand(), wrapper.WithSchedule(nil), wrapper.OnStatus(nil),
		wrapper.WithCancelOnDone(), wrapper.WithWaitTimeout(time.Second), wrapper.WithPurpose(wrapper.PurposeExtract))
	wrapper.ExtractRows[any](ctx, c, "a.pdf", nil, wrapper.WithExpand(), wrapper.WithSchedule(nil), wrapper.OnStatus(nil),
		wrapper.WithCancelOnDone(), wrapper.WithWaitTimeout(time.Second), wrapper.WithPurpose(wrapper.PurposeExtract))
	c.UploadFile(ctx, "a.pdf", wrapper.WithPurpose(wrapper.PurposeExtract), wrapper.WithExternalID("x"))
	c.Upload(ctx, "a.pdf", nil, wrapper.WithPurpose(wrapper.PurposeExtract), wrapper.WithExternalID("x"))
	var w []wrapper.WaitOption = []wrapper.WaitOption{wrapper.WithExpand(), wrapper.WithoutResult()}
	c.Wait(ctx, "ext-1", w...)
	batch.ExtractAll[any](ctx, c, nil, nil, batch.WithState("x.state"), batch.WithConcurrency(4), batch.WithOwnedFiles(),
		batch.WithWaitOptions(wrapper.WithExpand(), wrapper.WithSchedule(nil), wrapper.WithPollErrors(3)),
		batch.WithUploadOptions(wrapper.WithPurpose(wrapper.PurposeExtract)))
	batch.RunAll(ctx, c, nil, batch.WithConcurrency(4), batch.WithCreateRate(1), batch.WithWaitOptions(wrapper.OnStatus(nil)))
`

// illegalOptionCalls each pass an option to a call that does not read it:
// none may compile.
var illegalOptionCalls = []string{
	`c.GetJob(ctx, "ext-1", wrapper.WithSchedule(wrapper.FixedSchedule(time.Second)))`,
	`c.GetJob(ctx, "ext-1", batch.WithState("x.state"))`,
	`c.GetJob(ctx, "ext-1", wrapper.WithoutResult())`,
	`wrapper.GetResult[any](ctx, c, "ext-1", wrapper.WithWaitTimeout(time.Second))`,
	`wrapper.Rows[any](ctx, c, "ext-1", wrapper.WithCancelOnDone())`,
	`c.ListJobs(ctx, wrapper.JobFilter{}, wrapper.OnStatus(nil))`,
	`c.Jobs(ctx, wrapper.JobFilter{}, wrapper.WithPurpose(wrapper.PurposeExtract))`,
	`c.Wait(ctx, "ext-1", wrapper.WithExternalID("x"))`,
	`c.Wait(ctx, "ext-1", wrapper.WithPurpose(wrapper.PurposeExtract))`,
	`c.Wait(ctx, "ext-1", batch.WithConcurrency(4))`,
	`c.Run(ctx, req, wrapper.WithExternalID("x"))`,
	`wrapper.Extract[any](ctx, c, "a.pdf", nil, wrapper.WithoutResult())`,
	`wrapper.Extract[any](ctx, c, "a.pdf", nil, wrapper.WithExternalID("x"))`,
	`wrapper.ExtractRows[any](ctx, c, "a.pdf", nil, batch.WithState("x.state"))`,
	`batch.RunAll(ctx, c, nil, batch.WithState("x.state"))`,
	`batch.ExtractAll[any](ctx, c, nil, nil, wrapper.WithSchedule(nil))`,
	`c.UploadFile(ctx, "a.pdf", wrapper.WithExpand())`,
	`c.Upload(ctx, "a.pdf", nil, wrapper.WithSchedule(nil))`,
	`c.CreateJob(ctx, req, wrapper.WithExpand())`,
	`var _ wrapper.ExtractOption = wrapper.WithoutResult()`,
}

// TestOptionsACallDoesNotReadDoNotCompile builds the snippets above in
// packages that exist only in a build overlay: the legal calls must build,
// and each illegal one must fail with a type error (not, say, an undefined
// name, which would pass for the wrong reason).
func TestOptionsACallDoesNotReadDoNotCompile(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the go command")
	}
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	overlay := map[string]string{}
	pkgs := []string{}
	add := func(name, body string) {
		src := filepath.Join(dir, name+".go")
		if err := os.WriteFile(src, []byte(optionSnippetHeader+body+"\n}\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		overlay[filepath.Join(root, "wrapper", "zz_optioncheck", name, "p.go")] = src
		pkgs = append(pkgs, "./wrapper/zz_optioncheck/"+name)
	}
	add("legal", legalOptionCalls)
	for i, call := range illegalOptionCalls {
		add(fmt.Sprintf("illegal%02d", i), "\t"+call+"\n")
	}
	ov, err := json.Marshal(map[string]any{"Replace": overlay})
	if err != nil {
		t.Fatal(err)
	}
	ovPath := filepath.Join(dir, "overlay.json")
	if err := os.WriteFile(ovPath, ov, 0o600); err != nil {
		t.Fatal(err)
	}
	gobin, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("this test runs the go command: %v", err)
	}
	cmd := exec.Command(gobin, append([]string{"build", "-overlay=" + ovPath, "-o", os.DevNull}, pkgs...)...)
	cmd.Dir = root
	out, _ := cmd.CombinedOutput()
	errs := map[string]string{}
	cur := ""
	for _, line := range strings.Split(string(out), "\n") {
		if m := regexp.MustCompile(`zz_optioncheck/(\w+)`).FindStringSubmatch(line); m != nil && strings.HasPrefix(line, "#") {
			cur = m[1]
			continue
		}
		if cur != "" {
			errs[cur] += line + "\n"
		}
	}
	if e, ok := errs["legal"]; ok {
		t.Fatalf("the legal option calls do not build:\n%s", e)
	}
	for i, call := range illegalOptionCalls {
		e := errs[fmt.Sprintf("illegal%02d", i)]
		switch {
		case e == "":
			t.Errorf("compiles, but the call does not read the option: %s", call)
		case !strings.Contains(e, "cannot use") && !strings.Contains(e, "too many arguments") && !strings.Contains(e, "does not implement"):
			t.Errorf("%s: fails for another reason than the option's type:\n%s", call, e)
		}
	}
	if t.Failed() {
		t.Logf("go build output:\n%s", out)
	}
}
