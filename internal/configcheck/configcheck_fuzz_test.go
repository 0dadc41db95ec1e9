package configcheck

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
)

// targetPagesGrammar is the documented form of target_pages written as a
// regular expression, the reference TargetPages is held to.
var targetPagesGrammar = regexp.MustCompile(`^[ \t]*[0-9]+[ \t]*(-[ \t]*[0-9]+[ \t]*)?(,[ \t]*[0-9]+[ \t]*(-[ \t]*[0-9]+[ \t]*)?)*$`)

// FuzzTargetPages holds the target_pages parser to its contract on any
// input: it never panics; what it accepts matches the grammar, and its
// ranges are 1-based, ascending, disjoint and within the bound; what it
// refuses is an error a user can act on; and the accepted ranges written
// back out parse to the same ranges.
func FuzzTargetPages(f *testing.F) {
	for _, seed := range []string{
		"1,3,5-7", "1", "1-1", " 1 , 3 - 4 ", "7,1", "10-12,1-2", "", " ", ",", "1,", ",1", "1,,2", "0", "00",
		"01", "1-0", "7-5", "1-3,2", "3,3", "1-2-3", "-1", "1-", "+1", "1.5", "1e3", "١", "999999999999999999999",
		"1000000", "1000001", "1-1000000", "1;2", "1\n2", "a-b", "\x00",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ranges, err := TargetPages(s)
		if err != nil {
			if !strings.Contains(err.Error(), `"`) {
				t.Fatalf("%q: error %q quotes nothing a user wrote", s, err)
			}
			return
		}
		if !targetPagesGrammar.MatchString(s) {
			t.Fatalf("%q accepted but outside the grammar", s)
		}
		var parts []string
		for i, r := range ranges {
			if r.First < 1 || r.Last < r.First || r.Last > MaxPage || (i > 0 && r.First <= ranges[i-1].Last) {
				t.Fatalf("%q: bad ranges %v", s, ranges)
			}
			parts = append(parts, fmt.Sprintf("%d-%d", r.First, r.Last))
		}
		again, err := TargetPages(strings.Join(parts, ","))
		if err != nil || fmt.Sprint(again) != fmt.Sprint(ranges) {
			t.Fatalf("%q: written back as %q, read as %v, %v", s, strings.Join(parts, ","), again, err)
		}
	})
}
