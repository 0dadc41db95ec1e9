package configcheck

import (
	"fmt"
	"strings"
	"testing"
)

// Each check accepts what the API documents and refuses the rest with a
// message that quotes the value and says what to write instead.
func TestChecks(t *testing.T) {
	for _, tc := range []struct {
		check func(string) error
		in    string
		hint  string // "" when accepted
	}{
		{ParseTier, "fast", ""},
		{ParseTier, "agentic_plus", ""},
		{ParseTier, "", `"" is not a parse tier; use one of fast, cost_effective, agentic, agentic_plus`},
		{ParseTier, "Fast", `"Fast" is not a parse tier`},
		{Version, "latest", ""},
		{Version, "2026-01-08", ""},
		{Version, "Latest", `"Latest" is neither "latest" nor a date written YYYY-MM-DD`},
		{Version, "2026-02-30", "such as 2026-01-08"},
		{pages, "1,3,5-7", ""},
		{pages, " 7 , 1 - 2 ", ""},
		{pages, " ", `item 1 (" "): a page number is missing; write 1-based pages and ranges separated by commas, such as "1,3,5-7"`},
		{pages, "1,,2", `item 2 (""): a page number is missing`},
		{pages, "1,0", `item 2 ("0"): pages are numbered from 1, not 0`},
		{pages, "+1", `item 1 ("+1"): "+1" is not a page number`},
		{pages, "1000001", "page 1000001 is more than 1000000"},
		{pages, "2,7-5", `item 2 ("7-5") runs backwards; write it 5-7`},
		{pages, "1-3,2", `page 2 is listed twice in "1-3,2"; list each page once`},
	} {
		err := tc.check(tc.in)
		if (tc.hint == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), tc.hint)) {
			t.Errorf("%q: %v; want %q", tc.in, err, tc.hint)
		}
	}
	if got, err := TargetPages("7, 1-2,4"); err != nil || fmt.Sprint(got) != "[{1 2} {4 4} {7 7}]" {
		t.Errorf("ranges %v, %v; want them sorted", got, err)
	}
}

func pages(s string) error {
	_, err := TargetPages(s)
	return err
}
