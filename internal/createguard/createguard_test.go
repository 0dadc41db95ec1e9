package createguard

import (
	"fmt"
	"testing"
)

// A long-lived client remembers a bounded number of jobs.
func TestKnownJobsBounded(t *testing.T) {
	var r Registry
	for i := range 1_000_000 {
		r.Remember(fmt.Sprintf("ext-%d", i))
	}
	if n := r.Size(); n != MaxKnown {
		t.Fatalf("%d jobs remembered after a million creates", n)
	}
	if !r.IsKnown("ext-999999") || r.IsKnown("ext-0") {
		t.Fatal("the newest must be kept, the oldest forgotten")
	}
	f := r.Acquire("dfl-1")
	r.Release("dfl-1", f)
	if len(r.files) != 0 {
		t.Fatal("per-file state outlives its creates")
	}
}

// Members compare by meaning; unset spellings are one; a member only one
// side sets makes a maybe, unless it is the create's and differs.
func TestCompareConfig(t *testing.T) {
	const sent = `{"file_input":"dfl-1","configuration":{"data_schema":{"type":"object","required":["a"]},"tier":"agentic","cite_sources":false}}`
	for got, want := range map[string]Match{
		`{"configuration":{"tier":"agentic","data_schema":{"required":["a"],"type":"object"}}}`:                        Same,
		`{"configuration":{"tier":"agentic","data_schema":{ "type" : "object","required":["a"]},"x":"","y":null}}`:     Same,
		`{"configuration":{"tier":"agentic","data_schema":{"type":"object","required":["a"]},"version":"2026-01-08"}}`: MaybeSame,
		`{"configuration":{"data_schema":{"type":"object","required":["a"]}}}`:                                         MaybeSame,
		`{"configuration":{"tier":"fast","data_schema":{"type":"object","required":["a"]}}}`:                           Different,
		`{"configuration":{"tier":"agentic","data_schema":{"type":"object"}}}`:                                         Different,
		`{"configuration":{"tier":"agentic","data_schema":{"type":"object","required":["a"]},"cite_sources":true}}`:    Different,
		`{"id":"ext-1"}`: MaybeSame,
		`not json`:       MaybeSame,
	} {
		if m := CompareConfig([]byte(sent), []byte(got)); m != want {
			t.Errorf("%s: %v, want %v", got, m, want)
		}
	}
	if m := CompareConfig([]byte(`{"configuration_id":"cfg-1"}`), []byte(`{"configuration":{}}`)); m != Different {
		t.Errorf("a body without a configuration: %v", m)
	}
	if jsonEqual([]byte(`{"a":1}`), []byte(`{"a":`)) {
		t.Error("a broken value equals a whole one")
	}
}
