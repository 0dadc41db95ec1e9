package wrapper

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"net/http"
)

// ListPage is one page of a list, as ListJobs, ListFiles and
// ListConfigurations return it. The iterators Jobs, Files and
// Configurations page for you.
type ListPage[T any] struct {
	Items []T
	// NextPageToken fetches the next page (set it as the filter's
	// PageToken); empty on the last page.
	NextPageToken string
	// TotalSize is the server's count of matching items, when it sent one
	// (possibly an estimate).
	TotalSize *int
}

// pageWire is a page as the API sends it: the one wire type of the pages
// of jobs, files and configurations.
type pageWire[T any] struct {
	Items         []T     `json:"items"`
	NextPageToken *string `json:"next_page_token,omitempty"`
	TotalSize     *int    `json:"total_size,omitempty"`
	body          []byte
}

// keepBody keeps the page's JSON, from which listed jobs take their own.
func (p *pageWire[T]) keepBody(b []byte) { p.body = b }

func (p *pageWire[T]) validate() error {
	if p.Items == nil {
		return errors.New("page without items")
	}
	for i, it := range p.Items {
		if v, ok := any(it).(interface{ validate() error }); ok {
			if err := v.validate(); err != nil {
				return fmt.Errorf("items[%d]: %w", i, err)
			}
		}
	}
	return nil
}

func (p *pageWire[T]) page() *ListPage[T] {
	return &ListPage[T]{Items: p.Items, NextPageToken: deref(p.NextPageToken), TotalSize: p.TotalSize}
}

// listPage fetches one page of op with the request send builds.
func listPage[T any](ctx context.Context, c *Client, op string, send func(context.Context) (*http.Response, error)) (*ListPage[T], error) {
	w, err := request[pageWire[T]](ctx, c, op, pathID{}, send)
	if err != nil {
		return nil, err
	}
	return w.page(), nil
}

// maxSeenTokens bounds the memory paging spends on recognising a loop at
// once: a cycle through up to this many tokens ends at its first repeat; a
// longer one is caught by Brent's cycle check (one token held), within
// about twice its length more pages.
const maxSeenTokens = 1024

// paginate iterates over every item of every page, fetching a page (by its
// token) only when the loop needs it, so one page is in memory at a time.
// It stops after a page without a next token or without items. A server
// that sends a token it sent before in this iteration would make the loop
// endless: that is an *InvalidResponseError, yielded, ending the loop.
func paginate[T any](op string, fetch func(token string) (*ListPage[T], error)) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		var zero T
		seen := map[string]bool{}
		var order []string
		token := ""
		// Brent: anchor is compared with every token; it moves to the
		// current token after power steps, and power doubles.
		anchor, power, steps := "", 1, 0
		for {
			page, err := fetch(token)
			if err != nil {
				yield(zero, err)
				return
			}
			for _, it := range page.Items {
				if !yield(it, nil) {
					return
				}
			}
			next := page.NextPageToken
			if next == "" || len(page.Items) == 0 {
				return
			}
			if seen[next] || next == anchor {
				yield(zero, &InvalidResponseError{Operation: op, StatusCode: http.StatusOK,
					Reason: fmt.Sprintf("next_page_token %q was already followed in this listing; stopping instead of looping forever", next)})
				return
			}
			if len(order) == maxSeenTokens {
				delete(seen, order[0])
				order = order[1:]
			}
			seen[next] = true
			order = append(order, next)
			if steps++; steps == power {
				anchor, power, steps = next, power*2, 0
			}
			token = next
		}
	}
}
