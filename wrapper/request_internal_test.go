package wrapper

import (
	"bytes"
	"errors"
	"io"
	"runtime"
	"testing"
	"testing/iotest"
	"time"
)

// An upload's attempt gets more time the more it sends; other requests get
// the request timeout.
func TestAttemptTimeoutScalesWithUpload(t *testing.T) {
	c := &Client{requestTimeout: DefaultRequestTimeout}
	if got := c.attemptTimeout(0); got != time.Minute {
		t.Fatalf("plain request: %s", got)
	}
	if got := c.attemptTimeout(100 << 20); got != time.Minute+400*time.Second {
		t.Fatalf("100 MiB upload: %s", got)
	}
}

// readBody allocates by what arrives: a claim it cannot verify costs
// nothing, a short body is io.ErrUnexpectedEOF, the cap holds with and
// without a Content-Length, and an honest body comes back whole.
func TestReadBody(t *testing.T) {
	body := bytes.Repeat([]byte("x"), 10<<20+3)
	for _, claimed := range []int64{int64(len(body)), -1} {
		got, err := readBody(iotest.HalfReader(bytes.NewReader(body)), claimed, 64<<20)
		if err != nil || !bytes.Equal(got, body) {
			t.Fatalf("claimed %d: %d bytes, %v", claimed, len(got), err)
		}
		if _, err := readBody(bytes.NewReader(body), claimed, 1<<20); !errors.Is(err, errBodyTooLarge) {
			t.Fatalf("claimed %d over the cap: %v", claimed, err)
		}
	}
	if _, err := readBody(bytes.NewReader([]byte("{}")), 250<<20, 256<<20); !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Fatalf("short body: %v", err)
	}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for range 10 {
		_, _ = readBody(bytes.NewReader([]byte(`{"id":`)), 250<<20, 256<<20)
	}
	runtime.ReadMemStats(&after)
	if per := (after.TotalAlloc - before.TotalAlloc) / 10; per > 1<<20 {
		t.Fatalf("%d bytes allocated per 6-byte body claiming 250 MiB", per)
	}
}
