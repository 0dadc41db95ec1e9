package main

import "github.com/extract-go/llamaextract/internal/configcheck"

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

// checkPages accepts what target_pages documents, with the parser
// wrapper.ExtractConfig uses: 1-based page numbers and ranges separated
// by commas, e.g. "1,3,5-7", each page once. Empty means every page.
func checkPages(pages string) error {
	if pages == "" {
		return nil
	}
	if _, err := configcheck.TargetPages(pages); err != nil {
		return usagef("--pages %q: %v", pages, err)
	}
	return nil
}
