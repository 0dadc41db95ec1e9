package authtransport

import (
	"net/http"
	"testing"
)

// CustomHeaders adds the env lines to a copy of h (h itself and its value
// slices stay as they were), skips blank lines, and names a malformed line
// by number only.
func TestCustomHeaders(t *testing.T) {
	h := http.Header{"X-Opt": {"a"}}
	out, err := CustomHeaders(h, "\n  X-Opt: b \n\nX-Env:test\r\n")
	if err != nil {
		t.Fatal(err)
	}
	if got := out.Values("X-Opt"); len(got) != 2 || got[0] != "a" || got[1] != "b" || out.Get("X-Env") != "test" {
		t.Fatalf("merged %v", out)
	}
	if len(h) != 1 || len(h["X-Opt"]) != 1 {
		t.Fatalf("the caller's header changed: %v", h)
	}
	for env, want := range map[string]string{
		"X-Ok: 1\nsecret-without-colon": `line 2 is not "Name: value"`,
		" : value":                      `line 1 is not "Name: value"`,
	} {
		if _, err := CustomHeaders(nil, env); err == nil || err.Error() != want {
			t.Errorf("%q: %v, want %q", env, err, want)
		}
	}
}

func TestIsLoopback(t *testing.T) {
	for host, want := range map[string]bool{
		"localhost": true, "127.0.0.1": true, "127.8.9.10": true, "::1": true,
		"example.com": false, "10.0.0.1": false, "": false, "localhost.example.com": false,
	} {
		if got := IsLoopback(host); got != want {
			t.Errorf("IsLoopback(%q) = %v", host, got)
		}
	}
}
