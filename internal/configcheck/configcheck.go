// Package configcheck checks the values of an extract configuration that
// the service checks against a fixed list or form (parse_tier, version,
// target_pages), so that wrapper.ExtractConfig and the CLI's flags refuse
// the same values, with the same messages, before anything is sent.
package configcheck

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/extract-go/llamaextract/generated"
)

const (
	versionLatest = "latest"
	versionLayout = "2006-01-02"
	// MaxPage bounds a page number in target_pages: far above the pages of
	// any document the service extracts (at most 500 of a file over 5 MB),
	// and far from integer overflow.
	MaxPage = 1_000_000
)

// ParseTier accepts the tiers of the parse step before extraction; the
// service answers any other value with a 422. The message names
// ExtractConfig.ParseTier's way out.
func ParseTier(tier string) error {
	if !generated.ParseTier(tier).Valid() {
		return fmt.Errorf("%q is not a parse tier; use one of %s, or leave ParseTier empty for the extract tier's", tier, joined(generated.ParseTierValues(), ", "))
	}
	return nil
}

// Listed writes the values of an enum as "a, b or c", for messages that
// list what the spec allows.
func Listed[T ~string](values []T) string {
	if len(values) < 2 {
		return joined(values, "")
	}
	return joined(values[:len(values)-1], ", ") + " or " + string(values[len(values)-1])
}

func joined[T ~string](values []T, sep string) string {
	parts := make([]string, len(values))
	for i, v := range values {
		parts[i] = string(v)
	}
	return strings.Join(parts, sep)
}

// Version accepts what ExtractConfig.Version documents: "latest" or a
// calendar date written YYYY-MM-DD.
func Version(v string) error {
	if v == versionLatest {
		return nil
	}
	if _, err := time.Parse(versionLayout, v); err != nil {
		return fmt.Errorf("%q is neither %q nor a date written YYYY-MM-DD (such as 2026-01-08); a date pins the newest release not after it", v, versionLatest)
	}
	return nil
}

// PageRange is one item of target_pages: pages First to Last, 1-based and
// inclusive (a single page has First == Last).
type PageRange struct{ First, Last int }

// TargetPages reads target_pages as the API documents it: comma-separated
// 1-based page numbers and ranges, "1,3,5-7". Spaces around a number are
// allowed; an empty item (a blank s is one), a page 0, a page over
// MaxPage, a range that runs backwards and a page listed twice (the parse
// step answers duplicates with an error) are not. The ranges come back
// sorted. Every error quotes what the caller wrote.
func TargetPages(s string) ([]PageRange, error) {
	const fix = `; write 1-based pages and ranges separated by commas, such as "1,3,5-7"`
	var out []PageRange
	for i, item := range strings.Split(s, ",") {
		lo, hi, isRange := strings.Cut(item, "-")
		first, err := pageNumber(lo)
		last := first
		if err == nil && isRange {
			last, err = pageNumber(hi)
		}
		if err != nil {
			return nil, fmt.Errorf("item %d (%q): %v%s", i+1, item, err, fix)
		}
		if last < first {
			return nil, fmt.Errorf("item %d (%q) runs backwards; write it %d-%d", i+1, item, last, first)
		}
		out = append(out, PageRange{first, last})
	}
	slices.SortFunc(out, func(a, b PageRange) int { return a.First - b.First })
	for i := 1; i < len(out); i++ {
		if out[i].First <= out[i-1].Last {
			return nil, fmt.Errorf("page %d is listed twice in %q; list each page once", out[i].First, s)
		}
	}
	return out, nil
}

// pageNumber reads one page number: decimal digits, at least 1, spaces
// around it allowed.
func pageNumber(s string) (int, error) {
	s = strings.Trim(s, " \t")
	if s == "" {
		return 0, fmt.Errorf("a page number is missing")
	}
	if strings.Trim(s, "0123456789") != "" {
		return 0, fmt.Errorf("%q is not a page number", s)
	}
	n, err := strconv.Atoi(s)
	if err != nil || n > MaxPage {
		return 0, fmt.Errorf("page %s is more than %d", s, MaxPage)
	}
	if n == 0 {
		return 0, fmt.Errorf("pages are numbered from 1, not 0")
	}
	return n, nil
}
