package wrapper

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// The values of ExtractConfig fields the service checks against a fixed
// list or form, named once for the check and its messages.
const (
	versionLatest = "latest"
	versionLayout = "2006-01-02"
	// maxPageNumber bounds a page number in target_pages: far above the
	// pages of any document the service extracts (at most 500 of a file
	// over 5 MB), and far from integer overflow.
	maxPageNumber = 1_000_000
)

// parseTiers are the tiers of the parse step before extraction
// (ExtractConfig.ParseTier); the service answers any other value with a 422.
var parseTiers = []string{"fast", "cost_effective", "agentic", "agentic_plus"}

// checkInputs checks the fields of c the service would reject, so that the
// mistake is a *ValidationError before any upload or request: ParseTier,
// Version and TargetPages. op and field name the place in errors.
func (c ExtractConfig) checkInputs(op, field string) error {
	bad := func(name, reason string) error {
		return &ValidationError{Operation: op, Field: field + "." + name, Reason: reason}
	}
	if c.ParseTier != "" && !slices.Contains(parseTiers, c.ParseTier) {
		return bad("parse_tier", fmt.Sprintf("%q is not a parse tier; use one of %s, or leave ParseTier empty for the extract tier's", c.ParseTier, strings.Join(parseTiers, ", ")))
	}
	if c.Version != "" {
		if err := checkVersion(c.Version); err != nil {
			return bad("version", err.Error())
		}
	}
	if c.TargetPages != "" {
		if _, err := parseTargetPages(c.TargetPages); err != nil {
			return bad("target_pages", err.Error())
		}
	}
	return nil
}

// checkVersion accepts what ExtractConfig.Version documents: "latest" or a
// calendar date written YYYY-MM-DD.
func checkVersion(v string) error {
	if v == versionLatest {
		return nil
	}
	if _, err := time.Parse(versionLayout, v); err != nil {
		return fmt.Errorf("%q is neither %q nor a date written YYYY-MM-DD (such as 2026-01-08); a date pins the newest release not after it", v, versionLatest)
	}
	return nil
}

// pageRange is one item of target_pages: pages first to last, 1-based and
// inclusive (a single page has first == last).
type pageRange struct{ first, last int }

// parseTargetPages reads target_pages as the API documents it:
// comma-separated 1-based page numbers and ranges, "1,3,5-7". Spaces around
// a number are allowed; an empty item, a page 0, a range that runs
// backwards and a page listed twice (the parse step answers duplicates with
// an error) are not. The ranges come back sorted.
func parseTargetPages(s string) ([]pageRange, error) {
	const fix = `; write 1-based pages and ranges separated by commas, such as "1,3,5-7"`
	if strings.TrimSpace(s) == "" {
		return nil, fmt.Errorf("%q is blank; leave TargetPages empty for every page", s)
	}
	var out []pageRange
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
		out = append(out, pageRange{first, last})
	}
	slices.SortFunc(out, func(a, b pageRange) int { return a.first - b.first })
	for i := 1; i < len(out); i++ {
		if out[i].first <= out[i-1].last {
			return nil, fmt.Errorf("page %d is listed twice in %q; list each page once", out[i].first, s)
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
	if err != nil || n > maxPageNumber {
		return 0, fmt.Errorf("page %s is more than %d", s, maxPageNumber)
	}
	if n == 0 {
		return 0, fmt.Errorf("pages are numbered from 1, not 0")
	}
	return n, nil
}
