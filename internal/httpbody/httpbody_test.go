package httpbody

import (
	"bytes"
	"errors"
	"io"
	"runtime"
	"testing"
	"testing/iotest"
)

// Read allocates by what arrives: a claim it cannot verify costs
// nothing, a short body is io.ErrUnexpectedEOF, the cap holds with and
// without a Content-Length, and an honest body comes back whole.
func TestReadBody(t *testing.T) {
	body := bytes.Repeat([]byte("x"), 10<<20+3)
	for _, claimed := range []int64{int64(len(body)), -1} {
		got, err := Read(iotest.HalfReader(bytes.NewReader(body)), claimed, 64<<20, nil)
		if err != nil || !bytes.Equal(got, body) {
			t.Fatalf("claimed %d: %d bytes, %v", claimed, len(got), err)
		}
		if _, err := Read(bytes.NewReader(body), claimed, 1<<20, nil); !errors.Is(err, ErrTooLarge) {
			t.Fatalf("claimed %d over the cap: %v", claimed, err)
		}
	}
	if _, err := Read(bytes.NewReader([]byte("{}")), 250<<20, 256<<20, nil); !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Fatalf("short body: %v", err)
	}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for range 10 {
		_, _ = Read(bytes.NewReader([]byte(`{"id":`)), 250<<20, 256<<20, nil)
	}
	runtime.ReadMemStats(&after)
	if per := (after.TotalAlloc - before.TotalAlloc) / 10; per > 1<<20 {
		t.Fatalf("%d bytes allocated per 6-byte body claiming 250 MiB", per)
	}
}

// An honest body over TrustedLength costs about 1.25 times its size (it
// was 1.5 times, the GetRows100k row), and a server that sends less
// than an eighth of what it claims gets about twice what it sent, never the
// claim.
func TestReadBodyAllocations(t *testing.T) {
	allocated := func(f func()) uint64 {
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		f()
		runtime.ReadMemStats(&after)
		return after.TotalAlloc - before.TotalAlloc
	}
	body := bytes.Repeat([]byte("x"), 10<<20+3)
	got := allocated(func() {
		if b, err := Read(bytes.NewReader(body), int64(len(body)), 64<<20, nil); err != nil || len(b) != len(body) {
			t.Fatalf("%d bytes, %v", len(b), err)
		}
	})
	if limit := uint64(len(body)) * 13 / 10; got > limit {
		t.Fatalf("an honest %d-byte body allocated %d bytes, want at most %d", len(body), got, limit)
	}
	const claim = 64 << 20
	sent := body[:claim/8-firstChunk]
	got = allocated(func() {
		if _, err := Read(bytes.NewReader(sent), claim, 256<<20, nil); !errors.Is(err, io.ErrUnexpectedEOF) {
			t.Fatalf("short body: %v", err)
		}
	})
	if limit := uint64(len(sent))*2 + 2*firstChunk; got > limit {
		t.Fatalf("%d bytes sent of %d claimed allocated %d bytes, want at most %d", len(sent), claim, got, limit)
	}
}

// A lent buffer is read into when it can hold the claimed length, and only
// then: an unknown or larger length allocates as before, and a short body
// is still io.ErrUnexpectedEOF.
func TestReadBodyReusesALentBuffer(t *testing.T) {
	lent := make([]byte, 0, 4096)
	body := bytes.Repeat([]byte("y"), 3000)
	got, err := Read(bytes.NewReader(body), int64(len(body)), 1<<20, lent)
	if err != nil || !bytes.Equal(got, body) || &got[:1][0] != &lent[:1][0] {
		t.Fatalf("a body that fits was not read into the lent buffer: %v", err)
	}
	for _, claimed := range []int64{-1, 5000} {
		big := bytes.Repeat([]byte("z"), 5000)
		got, err := Read(bytes.NewReader(big), claimed, 1<<20, lent)
		if err != nil || !bytes.Equal(got, big) || &got[:1][0] == &lent[:1][0] {
			t.Fatalf("claimed %d: read into the lent buffer, or %v", claimed, err)
		}
	}
	if _, err := Read(bytes.NewReader(body[:10]), 3000, 1<<20, lent); !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Fatalf("short body into a lent buffer: %v", err)
	}
}

// A body longer than its claimed length (a transport that lies) is read
// into a lent buffer only up to the claim, as into a fresh one: not the
// bytes past it, and no panic when they would fill the buffer.
func TestReadBodyStopsAtTheClaimInALentBuffer(t *testing.T) {
	body := bytes.Repeat([]byte("y"), 3000)
	for _, lent := range [][]byte{make([]byte, 0, 4096), make([]byte, 0, 3000), make([]byte, 0, 64)} {
		got, err := Read(bytes.NewReader(body), 10, 1<<20, lent)
		if err != nil || len(got) != 10 {
			t.Fatalf("lent %d: %d bytes, %v; want the 10 claimed", cap(lent), len(got), err)
		}
	}
}
