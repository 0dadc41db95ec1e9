package main

import (
	"strconv"
	"strings"
)

// check validates every extract flag on its own, before anything is read
// or uploaded: a bad flag is a usage error (exit 2) that costs nothing.
func (f extractFlags) check() error {
	if err := checkPages(f.pages); err != nil {
		return err
	}
	switch {
	case f.maxPages < 0:
		return usagef("--max-pages must be a positive number of pages (0 for no cap), not %d", f.maxPages)
	case f.timeout < 0:
		return usagef("--timeout must not be negative (0 waits without limit), not %s", f.timeout)
	case f.pollInterval < 0:
		return usagef("--poll-interval must not be negative, not %s", f.pollInterval)
	}
	return nil
}

// checkPages accepts what target_pages documents: 1-based page numbers
// and ascending ranges separated by commas, e.g. "1,3,5-7".
func checkPages(pages string) error {
	if strings.TrimSpace(pages) == "" {
		return nil
	}
	bad := func(part, why string) error {
		return usagef("--pages %q: %q %s; want 1-based pages and ranges such as \"1,3,5-7\"", pages, part, why)
	}
	for _, part := range strings.Split(pages, ",") {
		part = strings.TrimSpace(part)
		lo, hi, isRange := strings.Cut(part, "-")
		first, err := strconv.Atoi(strings.TrimSpace(lo))
		if err != nil || first < 1 {
			return bad(part, "is not a page number")
		}
		if !isRange {
			continue
		}
		last, err := strconv.Atoi(strings.TrimSpace(hi))
		if err != nil || last < 1 {
			return bad(part, "does not end with a page number")
		}
		if last < first {
			return bad(part, "runs backwards")
		}
	}
	return nil
}
