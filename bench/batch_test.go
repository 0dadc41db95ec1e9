package bench

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/extract-go/llamaextract/extracttest"
	"github.com/extract-go/llamaextract/wrapper"
	"github.com/extract-go/llamaextract/wrapper/batch"
)

// The batch rows (`make bench-batch`, about 10 minutes) run against
// `llamaextract emulator` in its own process, as a user's batch would run
// against the service: the client's process holds only the client.

var buildOnce = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "llamaextract-bench")
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "llamaextract")
	out, err := exec.Command("go", "build", "-o", bin, "../cmd/llamaextract").CombinedOutput()
	if err != nil {
		return "", fmt.Errorf("go build: %v: %s", err, out)
	}
	return bin, nil
})

func cliBinary(b *testing.B) string {
	bin, err := buildOnce()
	if err != nil {
		b.Fatal(err)
	}
	return bin
}

// startEmulator runs `llamaextract emulator` with args on a free loopback
// port and returns its URL.
func startEmulator(b *testing.B, args ...string) string {
	cmd := exec.Command(cliBinary(b), append([]string{"emulator", "--addr", "127.0.0.1:0"}, args...)...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		b.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil {
		b.Fatal(err)
	}
	return strings.TrimSpace(line)
}

func remoteStats(b *testing.B, url string) extracttest.StatsJSON {
	st, err := extracttest.ReadStats(context.Background(), nil, url)
	if err != nil {
		b.Fatal(err)
	}
	return st
}

func smallDocs(b *testing.B, n int) (dir string, paths []string) {
	dir = b.TempDir()
	paths = make([]string, n)
	for i := range paths {
		paths[i] = filepath.Join(dir, fmt.Sprintf("doc-%05d.txt", i))
		if err := os.WriteFile(paths[i], []byte(fmt.Sprintf("Vendor: V%d\nTotal: %d.5\n", i, i)), 0o600); err != nil {
			b.Fatal(err)
		}
	}
	return dir, paths
}

type invoice struct {
	Vendor string  `json:"vendor"`
	Total  float64 `json:"total"`
}

// BenchmarkBatchAtLimit: 1,000 documents through ExtractAll against an
// emulator whose create limit (5/s, 15/s) the client is not told. Target:
// 0 failed, throughput at least 90% of the limit.
func BenchmarkBatchAtLimit(b *testing.B) {
	for _, limit := range []int{5, 15} {
		b.Run(fmt.Sprintf("limit=%d", limit), func(b *testing.B) {
			const n = 1000
			for b.Loop() {
				url := startEmulator(b, "--create-rate-limit", fmt.Sprint(limit), "--job-duration", "1s")
				c, err := wrapper.New(wrapper.WithBaseURL(url), wrapper.WithAPIKey("k"))
				if err != nil {
					b.Fatal(err)
				}
				_, paths := smallDocs(b, n)
				start := time.Now()
				ok, failed := 0, 0
				for _, err := range batch.ExtractAll[invoice](context.Background(), c, paths, wrapper.ExtractConfig{},
					batch.WithWaitOptions(wrapper.WithSchedule(wrapper.FixedSchedule(250*time.Millisecond)))) {
					switch {
					case errors.Is(err, batch.ErrStopped):
						b.Fatal(err)
					case err != nil:
						failed++
					default:
						ok++
					}
				}
				elapsed := time.Since(start)
				st := remoteStats(b, url)
				rate := float64(ok) / elapsed.Seconds()
				b.ReportMetric(rate, "docs/s")
				b.ReportMetric(100*rate/float64(limit), "%-of-limit")
				b.ReportMetric(float64(failed), "failed")
				b.ReportMetric(float64(st.RateLimited), "429s")
				b.ReportMetric(float64(st.JobsCreated-n), "extra-jobs")
			}
		})
	}
}

// BenchmarkBatchCLI: `llamaextract batch` over 1,000 documents, emulator
// limit 15/s, 1% of jobs failing. Every input must appear exactly once,
// exit 1 with the failures listed.
func BenchmarkBatchCLI(b *testing.B) {
	const n, limit = 1000, 15
	for b.Loop() {
		url := startEmulator(b, "--create-rate-limit", fmt.Sprint(limit), "--job-duration", "1s", "--fail-ratio", "0.01")
		dir, _ := smallDocs(b, n)
		schema := filepath.Join(b.TempDir(), "s.json")
		if err := os.WriteFile(schema, []byte(`{"type":"object","properties":{"vendor":{"type":"string"},"total":{"type":"number"}}}`), 0o600); err != nil {
			b.Fatal(err)
		}
		out := filepath.Join(b.TempDir(), "r.jsonl")
		cmd := exec.Command(cliBinary(b), "batch", dir, "--schema", schema, "--out", out, "--poll-interval", "250ms", "-q")
		cmd.Env = []string{"LLAMA_CLOUD_BASE_URL=" + url, "LLAMA_CLOUD_API_KEY=k", "HOME=" + b.TempDir()}
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		start := time.Now()
		err := cmd.Run()
		elapsed := time.Since(start)
		code := 0
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			code = ee.ExitCode()
		} else if err != nil {
			b.Fatal(err)
		}
		raw, err := os.ReadFile(out)
		if err != nil {
			b.Fatal(err)
		}
		seen := map[string]bool{}
		failed := 0
		for _, l := range strings.Split(strings.TrimSpace(string(raw)), "\n") {
			var line struct{ Input, Status string }
			if err := json.Unmarshal([]byte(l), &line); err != nil {
				b.Fatal(err)
			}
			if seen[line.Input] {
				b.Fatalf("%s written twice", line.Input)
			}
			seen[line.Input] = true
			if line.Status != "COMPLETED" {
				failed++
			}
		}
		if len(seen) != n || code != 1 || !strings.Contains(stderr.String(), "document(s) failed") {
			b.Fatalf("%d of %d documents written, exit %d: %s", len(seen), n, code, stderr.String())
		}
		st := remoteStats(b, url)
		rate := float64(n) / elapsed.Seconds()
		b.ReportMetric(rate, "docs/s")
		b.ReportMetric(100*rate/limit, "%-of-limit")
		b.ReportMetric(float64(failed), "failed")
		b.ReportMetric(float64(st.RateLimited), "429s")
		b.ReportMetric(float64(code), "exit")
	}
}

// BenchmarkBatchHeap: the largest live heap (after GC, from runtime/metrics)
// of a resumable batch of N documents in this process, the emulator in
// another. It must not grow with N: inputs and results stream, and the
// state index costs a few dozen bytes per document. end-live-MB is the live
// heap once every document is done (before the state is closed): the
// per-document index, without the peak's in-flight noise.
func BenchmarkBatchHeap(b *testing.B) {
	for _, n := range []int{1000, 10000} {
		b.Run(fmt.Sprintf("N=%d", n), func(b *testing.B) {
			for b.Loop() {
				url := startEmulator(b, "--job-duration", "100ms")
				c, err := wrapper.New(wrapper.WithBaseURL(url), wrapper.WithAPIKey("k"))
				if err != nil {
					b.Fatal(err)
				}
				dir, _ := smallDocs(b, n)
				// The inputs stream from a generator, as a directory walk
				// would: the caller holds no list of them either.
				inputs := func(yield func(string) bool) {
					for i := range n {
						if !yield(filepath.Join(dir, fmt.Sprintf("doc-%05d.txt", i))) {
							return
						}
					}
				}
				state := filepath.Join(b.TempDir(), "s")
				ok := 0
				var endLive uint64
				start := time.Now()
				peak := peakLiveHeap(func() {
					x, err := batch.New[invoice](c, wrapper.ExtractConfig{}, batch.WithState(state), batch.WithCreateRate(500),
						batch.WithWaitOptions(wrapper.WithSchedule(wrapper.FixedSchedule(50*time.Millisecond))))
					if err != nil {
						b.Fatal(err)
					}
					defer x.Close()
					for it, err := range x.Run(context.Background(), inputs) {
						if err != nil {
							b.Fatalf("%s: %v", it.Input, err)
						}
						ok++
						if ok == n {
							// What the batch still holds with every
							// document done: its per-document index,
							// without the in-flight noise of the peak.
							endLive = liveHeapAfterGC()
						}
					}
				})
				if ok != n {
					b.Fatalf("%d of %d", ok, n)
				}
				b.ReportMetric(float64(peak)/(1<<20), "peak-live-MB")
				b.ReportMetric(float64(endLive)/(1<<20), "end-live-MB")
				b.ReportMetric(float64(n)/time.Since(start).Seconds(), "docs/s")
			}
		})
	}
}

// liveHeapAfterGC collects garbage and returns the live heap.
func liveHeapAfterGC() uint64 {
	runtime.GC()
	sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(sample)
	return sample[0].Value.Uint64()
}

// peakLiveHeap runs fn and returns the largest live heap seen, sampled
// every 10 ms from /gc/heap/live:bytes (the heap marked live by the last
// GC, so garbage not yet collected does not count).
func peakLiveHeap(fn func()) uint64 {
	runtime.GC()
	sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	var peak atomic.Uint64
	stop, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(10 * time.Millisecond)
		defer t.Stop()
		for {
			metrics.Read(sample)
			if v := sample[0].Value.Uint64(); v > peak.Load() {
				peak.Store(v)
			}
			select {
			case <-stop:
				return
			case <-t.C:
			}
		}
	}()
	fn()
	close(stop)
	<-done
	return peak.Load()
}
