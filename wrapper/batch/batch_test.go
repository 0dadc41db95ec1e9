package batch_test

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/extract-go/llamaextract/extracttest"
	"github.com/extract-go/llamaextract/internal/batchstate"
	"github.com/extract-go/llamaextract/wrapper"
	"github.com/extract-go/llamaextract/wrapper/batch"
)

func writeDocs(t *testing.T, n int) []string {
	t.Helper()
	dir := t.TempDir()
	paths := make([]string, n)
	for i := range paths {
		paths[i] = filepath.Join(dir, fmt.Sprintf("doc-%03d.txt", i))
		if err := os.WriteFile(paths[i], []byte(fmt.Sprintf("Number: N-%d\nAmount: %d\n", i, i)), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return paths
}

// collect runs a batch and returns what it yielded; stop is the error of
// the last pair when the batch stopped early.
func collect[T any](t *testing.T, seq func(func(batch.Item[T], error) bool)) (items []batch.Item[T], failed map[string]error, stop error) {
	t.Helper()
	failed = map[string]error{}
	for it, err := range seq {
		if errors.Is(err, batch.ErrStopped) {
			stop = err
			continue
		}
		if slices.ContainsFunc(items, func(x batch.Item[T]) bool { return x.Input == it.Input }) {
			t.Fatalf("%s yielded twice", it.Input)
		}
		items = append(items, it)
		if err != nil {
			failed[it.Input] = err
		}
	}
	return items, failed, stop
}

// A 429 on a create proves no job was made: the batch waits and tries
// again without spending a retry or failing the item, even with retries
// turned off, and the create rate comes down to the server's limit.
func TestBatch429NeverFailsAnItem(t *testing.T) {
	srv := extracttest.NewTestServer(t, extracttest.WithJobDuration(10*time.Millisecond), extracttest.WithCreateRateLimit(40, 1))
	c, err := wrapper.New(wrapper.WithBaseURL(srv.URL), wrapper.WithAPIKey("k"), wrapper.WithHTTPClient(srv.Client()),
		wrapper.WithRetryPolicy(wrapper.RetryPolicy{}))
	if err != nil {
		t.Fatal(err)
	}
	paths := writeDocs(t, 60)
	var last batch.Progress
	items, failed, stop := collect(t, batch.ExtractAll[numbered](context.Background(), c, paths, wrapper.ExtractConfig{},
		batch.WithCreateRate(200), fast,
		batch.WithProgress(func(p batch.Progress) { last = p })))
	if stop != nil || len(failed) != 0 || len(items) != len(paths) {
		t.Fatalf("stop %v, %d failed (%v), %d of %d yielded", stop, len(failed), failed, len(items), len(paths))
	}
	st := srv.Stats()
	if st.RateLimited == 0 {
		t.Fatal("the server never said 429: the test tests nothing")
	}
	if st.JobsCreated != len(paths) {
		t.Fatalf("%d jobs for %d documents", st.JobsCreated, len(paths))
	}
	if last.RateLimited < st.RateLimited || last.CreateRate >= 200 || last.Done != len(paths) || last.Created != len(paths) {
		t.Fatalf("progress %+v after %d 429s", last, st.RateLimited)
	}
	for _, it := range items {
		if it.Value.Number == "" || it.Job.Status != wrapper.StatusCompleted || len(it.Hash) != 64 || it.FileID == "" {
			t.Fatalf("item %+v", it)
		}
	}
}

func TestRunAll429AndFailures(t *testing.T) {
	srv := extracttest.NewTestServer(t, extracttest.WithJobDuration(10*time.Millisecond), extracttest.WithCreateRateLimit(40, 1))
	c, err := wrapper.New(wrapper.WithBaseURL(srv.URL), wrapper.WithAPIKey("k"), wrapper.WithHTTPClient(srv.Client()),
		wrapper.WithRetryPolicy(wrapper.RetryPolicy{}))
	if err != nil {
		t.Fatal(err)
	}
	good, bad := srv.AddFile("a.txt", []byte("Amount: 1\n")), srv.AddFile("b.txt", nil)
	srv.ScriptFile(bad, extracttest.Outcome{Error: "boom"})
	reqs := make([]wrapper.CreateJobRequest, 30)
	for i := range reqs {
		reqs[i] = wrapper.CreateJobRequest{FileInput: good, Config: wrapper.ExtractConfig{Schema: wrapper.MustSchemaFor[Line]()}}
	}
	reqs[7].FileInput = bad
	seen := map[int]bool{}
	for r, err := range batch.RunAll(context.Background(), c, reqs, batch.WithCreateRate(200), fast) {
		if seen[r.Index] {
			t.Fatalf("request %d yielded twice", r.Index)
		}
		seen[r.Index] = true
		switch {
		case r.Index == 7 && !errors.Is(err, wrapper.ErrJobFailed):
			t.Fatalf("request 7: %v", err)
		case r.Index != 7 && (err != nil || r.Job.Status != wrapper.StatusCompleted):
			t.Fatalf("request %d: %v", r.Index, err)
		}
	}
	if len(seen) != len(reqs) || srv.Stats().RateLimited == 0 || srv.Stats().JobsCreated != len(reqs) {
		t.Fatalf("%d yielded, stats %+v", len(seen), srv.Stats())
	}
}

func hashOf(t *testing.T, path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// The state a kill -9 leaves at each instant of a document's life, written
// by hand, then resumed: a create that reached the server before the job ID
// was journaled is adopted, one that did not is sent, a recorded job is
// re-attached to, a finished document is skipped. One job per document.
func TestBatchResumeFromEveryCrashPoint(t *testing.T) {
	srv := extracttest.NewTestServer(t, extracttest.WithJobDuration(10*time.Millisecond))
	c, err := wrapper.New(wrapper.WithBaseURL(srv.URL), wrapper.WithAPIKey("k"), wrapper.WithHTTPClient(srv.Client()))
	if err != nil {
		t.Fatal(err)
	}
	state := filepath.Join(t.TempDir(), "batch.state")
	// 0 created-not-journaled, 1 intent only, 2 created, 3 done, 4 new, 5 a
	// job exists but the state lost its last record ("creating").
	paths := writeDocs(t, 6)
	b, err := batch.New[numbered](c, wrapper.ExtractConfig{}, batch.WithState(state))
	if err != nil {
		t.Fatal(err)
	}
	b.Close()
	f, err := os.Open(state)
	if err != nil {
		t.Fatal(err)
	}
	var header struct{ Config string }
	line, _ := bufio.NewReader(f).ReadBytes('\n')
	f.Close()
	if err := json.Unmarshal(line, &header); err != nil {
		t.Fatal(err)
	}
	j, err := batchstate.Open(state, header.Config)
	if err != nil {
		t.Fatal(err)
	}
	cfg := wrapper.ExtractConfig{Schema: wrapper.MustSchemaFor[numbered](), Target: wrapper.PerDoc}
	files := make([]string, len(paths))
	for i, p := range paths[:4] {
		content, _ := os.ReadFile(p)
		files[i] = srv.AddFile(filepath.Base(p), content)
		must := func(err error) {
			if err != nil {
				t.Fatal(err)
			}
		}
		must(j.Uploaded(p, hashOf(t, p), files[i]))
		must(j.Creating(p, files[i]))
		switch i {
		case 0: // the server made the job; the process died before journaling it
			_, err := c.CreateJob(context.Background(), wrapper.CreateJobRequest{FileInput: files[i], Config: cfg})
			must(err)
		case 2, 3:
			job, err := c.CreateJob(context.Background(), wrapper.CreateJobRequest{FileInput: files[i], Config: cfg})
			must(err)
			must(j.Created(p, job.ID))
			if i == 3 {
				must(j.Finished(p, "", job.ID, "COMPLETED", false, nil))
			}
		}
	}
	content, _ := os.ReadFile(paths[5])
	files[5] = srv.AddFile(filepath.Base(paths[5]), content)
	if err := j.Uploaded(paths[5], hashOf(t, paths[5]), files[5]); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateJob(context.Background(), wrapper.CreateJobRequest{FileInput: files[5], Config: cfg}); err != nil {
		t.Fatal(err)
	}
	j.Close()

	b, err = batch.New[numbered](c, wrapper.ExtractConfig{}, batch.WithState(state), fast)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if r := b.Resumed(); r.Done != 1 || r.InFlight != 4 {
		t.Fatalf("resumed %+v", r)
	}
	items, failed, stop := collect(t, b.Run(context.Background(), slices.Values(paths)))
	if stop != nil || len(failed) != 0 || len(items) != 5 {
		t.Fatalf("stop %v, failed %v, %d yielded (want the 5 not done)", stop, failed, len(items))
	}
	for i, f := range slices.Concat(files[:4], files[5:]) {
		if n := srv.JobsCreatedFor(f); n != 1 {
			t.Errorf("document %d: %d jobs on its file, want exactly 1", i, n)
		}
	}
	if p := b.Progress(); p.Skipped != 1 || p.Adopted != 3 || p.Created != 2 {
		t.Errorf("progress %+v: want 1 skipped, 3 adopted (crash after the create, job journaled, record lost), 2 created", p)
	}
	if st := srv.Stats(); st.JobsCreated != 6 {
		t.Errorf("%d jobs for 6 documents", st.JobsCreated)
	}
	// And once more: everything is done.
	items, _, stop = collect(t, b.Run(context.Background(), slices.Values(paths)))
	if len(items) != 0 || stop != nil || srv.Stats().JobsCreated != 6 {
		t.Fatalf("third run: %d yielded, stop %v, %d jobs", len(items), stop, srv.Stats().JobsCreated)
	}
}

// Draining stops creating; the jobs already made finish and are yielded;
// the next run does the rest, and no document gets a second job.
func TestBatchDrainThenResume(t *testing.T) {
	srv := extracttest.NewTestServer(t, extracttest.WithJobDuration(30*time.Millisecond))
	c, err := wrapper.New(wrapper.WithBaseURL(srv.URL), wrapper.WithAPIKey("k"), wrapper.WithHTTPClient(srv.Client()))
	if err != nil {
		t.Fatal(err)
	}
	state := filepath.Join(t.TempDir(), "s")
	paths := writeDocs(t, 40)
	drain := make(chan struct{})
	var first []batch.Item[numbered]
	var stop error
	for it, err := range batch.ExtractAll[numbered](context.Background(), c, paths, wrapper.ExtractConfig{},
		batch.WithState(state), batch.WithDrain(drain), batch.WithConcurrency(4), batch.WithCreateRate(100), fast) {
		if errors.Is(err, batch.ErrStopped) {
			stop = err
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		if len(first) == 0 {
			close(drain)
		}
		first = append(first, it)
	}
	if !errors.Is(stop, batch.ErrStopped) || len(first) >= len(paths) {
		t.Fatalf("after a drain: %d yielded, stop %v", len(first), stop)
	}
	if created := srv.Stats().JobsCreated; created != len(first) {
		t.Fatalf("%d jobs created but %d yielded: a drained batch must not leave jobs behind", created, len(first))
	}
	second, failed, stop := collect(t, batch.ExtractAll[numbered](context.Background(), c, paths, wrapper.ExtractConfig{},
		batch.WithState(state), fast))
	if stop != nil || len(failed) != 0 || len(first)+len(second) != len(paths) {
		t.Fatalf("second run: %d + %d yielded, stop %v", len(first), len(second), stop)
	}
	if srv.Stats().JobsCreated != len(paths) {
		t.Fatalf("%d jobs for %d documents", srv.Stats().JobsCreated, len(paths))
	}
}

// A failed document counts as done unless WithRetryFailed; a changed one is
// extracted again.
func TestBatchRetryFailedAndChangedInputs(t *testing.T) {
	srv := extracttest.NewTestServer(t, extracttest.WithJobDuration(300*time.Millisecond))
	c, err := wrapper.New(wrapper.WithBaseURL(srv.URL), wrapper.WithAPIKey("k"), wrapper.WithHTTPClient(srv.Client()))
	if err != nil {
		t.Fatal(err)
	}
	state := filepath.Join(t.TempDir(), "s")
	paths := writeDocs(t, 3)
	failOnce := batch.WithWaitOptions(wrapper.OnStatus(func(j *wrapper.Job) {
		if !j.Status.Terminal() {
			if f, _ := c.GetFile(context.Background(), j.FileInput); f != nil && f.Name == "doc-001.txt" {
				srv.ScriptJob(j.ID, extracttest.Outcome{Error: "scripted failure"})
			}
		}
	}))
	run := func(opts ...batch.Option) ([]batch.Item[numbered], map[string]error) {
		items, failed, stop := collect(t, batch.ExtractAll[numbered](context.Background(), c, paths, wrapper.ExtractConfig{},
			append([]batch.Option{batch.WithState(state), fast}, opts...)...))
		if stop != nil {
			t.Fatal(stop)
		}
		return items, failed
	}
	items, failed := run(failOnce)
	if len(items) != 3 || len(failed) != 1 || !errors.Is(failed[paths[1]], wrapper.ErrJobFailed) {
		t.Fatalf("first run: %d items, failed %v", len(items), failed)
	}
	if items, _ := run(); len(items) != 0 {
		t.Fatalf("a failed document was retried without WithRetryFailed: %d items", len(items))
	}
	items, failed = run(batch.WithRetryFailed())
	if len(items) != 1 || items[0].Input != paths[1] || len(failed) != 0 {
		t.Fatalf("retry: %d items, failed %v", len(items), failed)
	}
	if err := os.WriteFile(paths[2], []byte("Number: changed\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	items, _ = run()
	if len(items) != 1 || items[0].Input != paths[2] || items[0].Value.Number != "changed" {
		t.Fatalf("changed input: %+v", items)
	}
}

func TestBatchStopsOnAFailureEveryDocumentShares(t *testing.T) {
	srv := extracttest.NewTestServer(t, extracttest.WithAPIKey("right"))
	c, err := wrapper.New(wrapper.WithBaseURL(srv.URL), wrapper.WithAPIKey("wrong"), wrapper.WithHTTPClient(srv.Client()))
	if err != nil {
		t.Fatal(err)
	}
	items, _, stop := collect(t, batch.ExtractAll[numbered](context.Background(), c, writeDocs(t, 50), wrapper.ExtractConfig{}))
	if len(items) != 0 || !errors.Is(stop, batch.ErrStopped) || !errors.Is(stop, wrapper.ErrUnauthorized) {
		t.Fatalf("%d items, stop %v", len(items), stop)
	}
	if n := srv.Stats().Requests["UploadFile"]; n > 20 {
		t.Fatalf("%d uploads after the key was refused", n)
	}
	var nilCfg *wrapper.ExtractConfig
	if _, _, stop := collect(t, batch.ExtractAll[numbered](context.Background(), c, nil, nilCfg)); stop != nil {
		t.Fatalf("a nil *ExtractConfig is the zero configuration: %v", stop)
	}
	// Options and webhooks are checked before anything is read or sent.
	for name, opt := range map[string]batch.Option{
		"negative schedule":   batch.WithWaitOptions(wrapper.WithSchedule(wrapper.FixedSchedule(-time.Second))),
		"webhook without URL": batch.WithWebhooks(wrapper.Webhook{}),
	} {
		_, _, stop = collect(t, batch.ExtractAll[numbered](context.Background(), c, []string{"/nonexistent"}, wrapper.ExtractConfig{}, opt))
		if !errors.Is(stop, wrapper.ErrInvalidRequest) {
			t.Errorf("%s: %v", name, stop)
		}
	}
	pairs := 0
	for _, err := range batch.RunAll(context.Background(), c, nil, batch.WithWaitOptions(wrapper.WithSchedule(wrapper.FixedSchedule(-time.Second)))) {
		pairs++
		if !errors.Is(err, wrapper.ErrInvalidRequest) {
			t.Errorf("RunAll with a negative schedule: %v", err)
		}
	}
	if pairs != 1 {
		t.Errorf("RunAll with a negative schedule yielded %d pairs, want its error once", pairs)
	}
	_, _, stop = collect(t, batch.ExtractAll[numbered](context.Background(), c, nil, wrapper.SavedConfig{ID: " "}))
	var ve *wrapper.ValidationError
	if !errors.As(stop, &ve) {
		t.Fatalf("bad config: %v", stop)
	}
}

// Cancelling the context stops the batch at once: the last pair says so,
// and the next run with the same state finishes with one job per document.
func TestBatchCancelThenResume(t *testing.T) {
	srv := extracttest.NewTestServer(t, extracttest.WithJobDuration(50*time.Millisecond))
	c, err := wrapper.New(wrapper.WithBaseURL(srv.URL), wrapper.WithAPIKey("k"), wrapper.WithHTTPClient(srv.Client()))
	if err != nil {
		t.Fatal(err)
	}
	state := filepath.Join(t.TempDir(), "s")
	paths := writeDocs(t, 30)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stop error
	first := 0
	accounted := map[int]string{}
	for it, err := range batch.ExtractAll[numbered](ctx, c, paths, wrapper.ExtractConfig{}, batch.WithState(state), fast,
		batch.WithConcurrency(8), batch.WithCreateRate(200)) {
		if errors.Is(err, batch.ErrStopped) {
			stop = err
			continue
		}
		if paths[it.Index] != it.Input {
			t.Fatalf("item %d is %s, not the input at that position", it.Index, it.Input)
		}
		accounted[it.Index] = "yielded"
		first++
		cancel()
	}
	if !errors.Is(stop, batch.ErrStopped) || !errors.Is(stop, context.Canceled) || first == 0 || first == len(paths) {
		t.Fatalf("after cancel: %d yielded, stop %v", first, stop)
	}
	// Every input is yielded, unfinished or not started: exactly one.
	var se *batch.StoppedError
	if !errors.As(stop, &se) || se.Unread || len(se.NotStarted) == 0 {
		t.Fatalf("stop %#v", stop)
	}
	for kind, list := range map[string][]batch.Input{"unfinished": se.Unfinished, "not started": se.NotStarted} {
		for _, in := range list {
			if was, ok := accounted[in.Index]; ok || paths[in.Index] != in.Path {
				t.Fatalf("input %d (%s) is %s, and %s", in.Index, in.Path, kind, was)
			}
			accounted[in.Index] = kind
		}
	}
	if len(accounted) != len(paths) {
		t.Fatalf("%d of %d inputs accounted for: %v", len(accounted), len(paths), accounted)
	}
	second, failed, stop := collect(t, batch.ExtractAll[numbered](context.Background(), c, paths, wrapper.ExtractConfig{}, batch.WithState(state), fast))
	if stop != nil || len(failed) != 0 || first+len(second) != len(paths) || srv.Stats().JobsCreated != len(paths) {
		t.Fatalf("resume: %d + %d of %d, %d jobs, stop %v", first, len(second), len(paths), srv.Stats().JobsCreated, stop)
	}
	// A file ID cannot be resumed safely: refused with a reason, not guessed.
	id := srv.AddFile("x.txt", []byte("Number: 1\n"))
	_, failed, _ = collect(t, batch.ExtractAll[numbered](context.Background(), c, []string{id}, wrapper.ExtractConfig{}, batch.WithState(state), fast))
	var ve *wrapper.ValidationError
	if !errors.As(failed[id], &ve) || srv.JobsCreatedFor(id) != 0 {
		t.Fatalf("a dfl- input with WithState: %v", failed[id])
	}
	// Unless the caller promises the file is the batch's alone.
	items, failed, _ := collect(t, batch.ExtractAll[numbered](context.Background(), c, []string{id}, wrapper.ExtractConfig{}, batch.WithState(state), batch.WithOwnedFiles(), fast))
	if len(items) != 1 || len(failed) != 0 || srv.JobsCreatedFor(id) != 1 {
		t.Fatalf("a dfl- input with WithState and WithOwnedFiles: %+v %v", items, failed)
	}
	if items, _, _ := collect(t, batch.ExtractAll[numbered](context.Background(), c, []string{id}, wrapper.ExtractConfig{}, batch.WithState(state), batch.WithOwnedFiles(), fast)); len(items) != 0 {
		t.Fatalf("a finished dfl- input was done again: %+v", items)
	}
	// Without a state it is used as is.
	items, failed, _ = collect(t, batch.ExtractAll[numbered](context.Background(), c, []string{id}, wrapper.ExtractConfig{}, fast))
	if len(items) != 1 || len(failed) != 0 || items[0].Value.Number != "1" {
		t.Fatalf("a dfl- input: %+v %v", items, failed)
	}
}

// "Recorded as done when the loop body returns" holds for a body that
// breaks out of the loop too: the item it stored is not delivered again by
// the next run.
func TestBatchBreakRecordsTheItemItReceived(t *testing.T) {
	srv := extracttest.NewTestServer(t, extracttest.WithJobDuration(5*time.Millisecond))
	c, err := wrapper.New(wrapper.WithBaseURL(srv.URL), wrapper.WithAPIKey("k"), wrapper.WithHTTPClient(srv.Client()))
	if err != nil {
		t.Fatal(err)
	}
	state := filepath.Join(t.TempDir(), "s")
	paths := writeDocs(t, 6)
	stored := map[string]bool{}
	for it, err := range batch.ExtractAll[numbered](context.Background(), c, paths, wrapper.ExtractConfig{}, batch.WithState(state), fast) {
		if err != nil {
			t.Fatal(err)
		}
		stored[it.Input] = true
		break
	}
	second, failed, stop := collect(t, batch.ExtractAll[numbered](context.Background(), c, paths, wrapper.ExtractConfig{}, batch.WithState(state), fast))
	if stop != nil || len(failed) != 0 {
		t.Fatalf("stop %v, failed %v", stop, failed)
	}
	for _, it := range second {
		if stored[it.Input] {
			t.Fatalf("%s was stored before the break and delivered again", it.Input)
		}
		stored[it.Input] = true
	}
	if len(stored) != len(paths) {
		t.Fatalf("%d of %d documents delivered over the two runs", len(stored), len(paths))
	}
}

// Every item carries its input's position, in ExtractAll and RunAll alike;
// a slice T without a row schema is refused before anything is sent.
func TestBatchItemsCarryTheirIndex(t *testing.T) {
	srv := extracttest.NewTestServer(t, extracttest.WithJobDuration(5*time.Millisecond))
	c, err := wrapper.New(wrapper.WithBaseURL(srv.URL), wrapper.WithAPIKey("k"), wrapper.WithHTTPClient(srv.Client()))
	if err != nil {
		t.Fatal(err)
	}
	paths := writeDocs(t, 5)
	inputs := append(slices.Clone(paths), paths[1]) // a duplicate is done once, at its first position
	n := 0
	for it, err := range batch.ExtractAll[numbered](context.Background(), c, inputs, wrapper.ExtractConfig{}, fast) {
		if err != nil || inputs[it.Index] != it.Input || it.Index == 5 {
			t.Fatalf("item %d %s: %v", it.Index, it.Input, err)
		}
		n++
	}
	cfg := wrapper.ExtractConfig{Schema: wrapper.MustSchemaFor[numbered]()}
	reqs := []wrapper.CreateJobRequest{{FileInput: srv.AddFile("a.txt", []byte("Number: A\n")), Config: cfg}, {FileInput: srv.AddFile("b.txt", []byte("Number: B\n")), Config: cfg}}
	for r, err := range batch.RunAll(context.Background(), c, reqs, fast) {
		if v, derr := wrapper.Decode[numbered](r.Job); err != nil || derr != nil || r.Job.FileInput != reqs[r.Index].FileInput || v.Number != []string{"A", "B"}[r.Index] {
			t.Fatalf("result %d: %+v %v %v", r.Index, v, err, derr)
		}
		n++
	}
	if n != 7 {
		t.Fatalf("%d pairs", n)
	}
	_, _, stop := collect(t, batch.ExtractAll[[]numbered](context.Background(), c, paths, wrapper.ExtractConfig{}))
	if !errors.Is(stop, wrapper.ErrInvalidRequest) || !strings.Contains(stop.Error(), "SchemaFor[Row]") || srv.Stats().Requests["UploadFile"] != 5 {
		t.Fatalf("a slice T without a schema: %v", stop)
	}
}

// A job in a status the client does not know is held as running (the spec
// says so) but counted and named in Progress, during the run and after a
// stop.
func TestBatchCountsUnknownStatuses(t *testing.T) {
	srv := extracttest.NewTestServer(t, extracttest.WithJobDuration(time.Second))
	c, err := wrapper.New(wrapper.WithBaseURL(srv.URL), wrapper.WithAPIKey("k"), wrapper.WithHTTPClient(srv.Client()))
	if err != nil {
		t.Fatal(err)
	}
	paths := writeDocs(t, 3)
	var seen atomic.Int64
	held := batch.WithWaitOptions(wrapper.OnStatus(func(j *wrapper.Job) {
		seen.Add(1)
		if f, _ := c.GetFile(context.Background(), j.FileInput); f != nil && f.Name != "doc-000.txt" && !j.Status.Terminal() {
			srv.ScriptJob(j.ID, extracttest.Outcome{Steps: []extracttest.Step{{Status: "QUEUED_FOR_REVIEW", For: time.Hour}}})
		}
	}))
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	x, err := batch.New[numbered](c, wrapper.ExtractConfig{}, fast, held)
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	go func() {
		for ctx.Err() == nil {
			if x.Progress().Unknown["QUEUED_FOR_REVIEW"] == 2 {
				cancel()
				return
			}
			time.Sleep(time.Millisecond)
		}
	}()
	items, _, stop := collect(t, x.Run(ctx, slices.Values(paths)))
	if !errors.Is(stop, context.Canceled) || len(items) > 1 || seen.Load() == 0 {
		t.Fatalf("stop %v, %d items, the caller's OnStatus ran %d times", stop, len(items), seen.Load())
	}
	if u := x.Progress().Unknown; len(u) != 1 || u["QUEUED_FOR_REVIEW"] != 2 || errors.Is(stop, context.DeadlineExceeded) {
		t.Fatalf("unknown statuses after the stop: %v", u)
	}
}

// New refuses wrapper.WithoutResult, whose waits skip the result the batch
// yields, naming the option; RunAll, which yields jobs, takes it.
func TestNewRefusesWithoutResult(t *testing.T) {
	srv, c, _ := nuEnv(t, nil)
	_, err := batch.New[nuInvoice](c, wrapper.ExtractConfig{}, batch.WithWaitOptions(wrapper.WithoutResult()))
	var ve *wrapper.ValidationError
	if !errors.As(err, &ve) || !strings.Contains(err.Error(), "WithoutResult") {
		t.Fatalf("New with WithoutResult: %v", err)
	}
	file := srv.AddFile("invoice.txt", []byte(nuInvoiceText))
	req := wrapper.CreateJobRequest{FileInput: file, Config: wrapper.ExtractConfig{Schema: wrapper.MustSchemaFor[nuInvoice]()}}
	for r, err := range batch.RunAll(context.Background(), c, []wrapper.CreateJobRequest{req}, batch.WithWaitOptions(wrapper.WithoutResult())) {
		if err != nil || r.Job == nil || r.Job.Status != wrapper.StatusCompleted {
			t.Fatalf("RunAll with WithoutResult: %+v, %v", r, err)
		}
	}
}
