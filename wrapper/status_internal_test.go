package wrapper

import (
	"fmt"
	"testing"
)

// A server that invents a new status in every answer does not grow the
// client: past maxUnknownStatuses no status is remembered (or warned about).
func TestUnknownStatusesAreBounded(t *testing.T) {
	var u unknownStatuses
	for i := range 10 * maxUnknownStatuses {
		first := u.first(Status(fmt.Sprintf("S%d", i)))
		if first != (i < maxUnknownStatuses) {
			t.Fatalf("status %d: first=%v", i, first)
		}
	}
	if len(u.seen) != maxUnknownStatuses || u.first("S0") {
		t.Fatalf("%d statuses remembered", len(u.seen))
	}
}
