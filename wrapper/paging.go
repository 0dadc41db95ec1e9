package wrapper

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"iter"
	"net/http"
	"strings"
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

// itemSpans returns the JSON of each element of the "items" array of a
// page, as slices of body, which encoding/json has already found valid. It
// reports false when it cannot be sure the spans are the elements
// encoding/json decoded (a key spelt otherwise, an escape in a key): the
// caller then takes them the slow way.
func itemSpans(body []byte) ([][]byte, bool) {
	i := skipSpace(body, 0)
	if i >= len(body) || body[i] != '{' {
		return nil, false
	}
	var spans [][]byte
	for i = skipSpace(body, i+1); i < len(body) && body[i] != '}'; i = skipSpace(body, i) {
		if body[i] == ',' {
			i = skipSpace(body, i+1)
		}
		end := skipString(body, i)
		if end < 0 {
			return nil, false
		}
		key := string(body[i+1 : end-1])
		if i = skipSpace(body, end); i >= len(body) || body[i] != ':' {
			return nil, false
		}
		i = skipSpace(body, i+1)
		switch {
		case key == "items" && i < len(body) && body[i] == '[':
			spans = spans[:0] // encoding/json keeps the last of a repeated member
			if i, spans = arraySpans(body, i, spans); i < 0 {
				return nil, false
			}
		case strings.EqualFold(key, "items") || strings.IndexByte(key, '\\') >= 0:
			return nil, false
		default:
			if i = skipValue(body, i); i < 0 {
				return nil, false
			}
		}
	}
	return spans, true
}

// arraySpans appends the elements of the array at body[i] to spans and
// returns the index after it (-1 for malformed JSON).
func arraySpans(body []byte, i int, spans [][]byte) (int, [][]byte) {
	for i = skipSpace(body, i+1); i < len(body) && body[i] != ']'; i = skipSpace(body, i) {
		if body[i] == ',' {
			i = skipSpace(body, i+1)
		}
		end := skipValue(body, i)
		if end < 0 {
			return -1, nil
		}
		spans = append(spans, body[i:end:end])
		i = end
	}
	if i >= len(body) {
		return -1, nil
	}
	return i + 1, spans
}

func skipSpace(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// skipString returns the index after the string at b[i] (-1 if none).
func skipString(b []byte, i int) int {
	if i >= len(b) || b[i] != '"' {
		return -1
	}
	for j := i + 1; ; {
		k := bytes.IndexByte(b[j:], '"')
		if k < 0 {
			return -1
		}
		q := j + k
		n := 0 // backslashes right before the quote: odd escapes it
		for p := q - 1; p > i && b[p] == '\\'; p-- {
			n++
		}
		if n%2 == 0 {
			return q + 1
		}
		j = q + 1
	}
}

// skipValue returns the index after the JSON value at b[i] (-1 if none).
func skipValue(b []byte, i int) int {
	if i >= len(b) {
		return -1
	}
	switch b[i] {
	case '"':
		return skipString(b, i)
	case '{', '[':
		depth := 0
		for i < len(b) {
			switch b[i] {
			case '"':
				if i = skipString(b, i); i < 0 {
					return -1
				}
				continue
			case '{', '[':
				depth++
			case '}', ']':
				if depth--; depth == 0 {
					return i + 1
				}
			}
			i++
		}
		return -1
	}
	for i < len(b) && !strings.ContainsRune(",}] \t\r\n", rune(b[i])) {
		i++
	}
	return i
}
