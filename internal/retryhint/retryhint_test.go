package retryhint

import (
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"testing"
	"time"
)

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	cases := map[string]time.Duration{
		"2":                             2 * time.Second,
		"0.5":                           500 * time.Millisecond,
		"-3":                            0,
		"Thu, 01 Jan 2026 00:00:10 GMT": 10 * time.Second,
		"Wed, 31 Dec 2025 23:00:00 GMT": 0,
	}
	for in, want := range cases {
		if got, ok := ParseRetryAfter(in, now); !ok || got != want {
			t.Errorf("%q: %v %v, want %v", in, got, ok, want)
		}
	}
	for _, in := range []string{"", "soon", "NaN", "Inf"} {
		if _, ok := ParseRetryAfter(in, now); ok {
			t.Errorf("%q accepted", in)
		}
	}
}

func FuzzParseRetryAfter(f *testing.F) {
	for _, s := range []string{"1", "0.25", "-1", "1e308", "Thu, 01 Jan 2026 00:00:10 GMT", "x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if d, ok := ParseRetryAfter(s, time.Now()); ok && d < 0 {
			t.Fatalf("%q gave negative %v", s, d)
		}
	})
}

// retry-after-ms wins over Retry-After; a value that is not a number falls
// back to Retry-After, and a negative one waits zero.
func TestAfterPrefersMilliseconds(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		ms, s string
		want  time.Duration
		ok    bool
	}{
		{"250", "3", 250 * time.Millisecond, true},
		{"1.5", "", 1500 * time.Microsecond, true},
		{"-4", "3", 0, true},
		{"soon", "3", 3 * time.Second, true},
		{"NaN", "", 0, false},
		{"", "", 0, false},
	} {
		h := http.Header{}
		if c.ms != "" {
			h.Set("Retry-After-Ms", c.ms)
		}
		if c.s != "" {
			h.Set("Retry-After", c.s)
		}
		if got, ok := After(h, now); got != c.want || ok != c.ok {
			t.Errorf("ms %q, s %q: %v %v, want %v %v", c.ms, c.s, got, ok, c.want, c.ok)
		}
	}
}

// A dial or resolve failure never reached the server; a write or read
// failure may have. A body cut short or a network error while reading is
// broken; a body that is whole but wrong is not.
func TestNeverSentAndBrokenBody(t *testing.T) {
	dial := &net.OpError{Op: "dial", Err: errors.New("refused")}
	read := &net.OpError{Op: "read", Err: errors.New("reset")}
	dns := &net.DNSError{Err: "no such host", Name: "x"}
	for _, c := range []struct {
		err              error
		neverSent, broke bool
	}{
		{fmt.Errorf("wrapped: %w", dial), true, true},
		{dns, true, true},
		{read, false, true},
		{fmt.Errorf("body: %w", io.ErrUnexpectedEOF), false, true},
		{errors.New("invalid character"), false, false},
		{nil, false, false},
	} {
		if got := NeverSent(c.err); got != c.neverSent {
			t.Errorf("NeverSent(%v) = %v", c.err, got)
		}
		if got := BrokenBody(c.err); got != c.broke {
			t.Errorf("BrokenBody(%v) = %v", c.err, got)
		}
	}
}
