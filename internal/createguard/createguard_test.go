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
