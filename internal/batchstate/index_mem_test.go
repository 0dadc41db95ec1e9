package batchstate

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"runtime"
	"testing"
)

// liveHeap collects garbage and returns the bytes in live heap objects.
func liveHeap() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// The journal's index of finished documents is what a batch holds per
// document for its whole run; the README and BENCHMARKS.md promise a few
// dozen bytes per document whatever the paths (so that the heap at 10,000
// documents is within ~1 MB of the heap at 1,000). This measures what
// 9,000 more documents with long paths cost the index.
func TestJournalIndexBytesPerDocument(t *testing.T) {
	const small, large = 1000, 10000
	measure := func(n int) uint64 {
		before := liveHeap()
		j := &Journal{pending: map[key]*Doc{}, done: map[key]doneEntry{}}
		for i := range n {
			sum := sha256.Sum256([]byte(fmt.Sprint(i)))
			r := record{Key: fmt.Sprintf("/data/invoices/2026/customer-%05d/scan-%05d.pdf", i, i), Event: "done", Hash: hex.EncodeToString(sum[:]), JobID: "ext-0123456789abcdef", Status: "COMPLETED"}
			must(t, j.apply(r))
		}
		after := liveHeap()
		runtime.KeepAlive(j)
		return after - before
	}
	a, b := measure(small), measure(large)
	per := float64(int64(b)-int64(a)) / (large - small)
	t.Logf("index: %d B at %d documents, %d B at %d: %.1f B per document", a, small, b, large, per)
	if per > 48 {
		t.Errorf("the index costs %.0f bytes per document, want at most 48", per)
	}
}
