// Package jobget sends GET /api/v2/extract/{job_id}, the request a wait
// polls with and GetJob and GetResult send, without the generated client,
// which parses the server URL, resolves the operation path and re-parses
// the result on every call, and whose request then goes through the auth
// transport's copy.
//
// It is speed-only code: without it the BENCHMARKS.md row GetSmallJob goes
// over 1.10x the fair floor in bytes and allocations. It builds the
// generated client's URL (wrapper's TestJobGetterMatchesGenerated compares
// them) from a prefix resolved once, and the auth transport's headers from
// the transport's template, which the transport then passes through. Every
// other operation keeps the generated client.
package jobget

import (
	"context"
	"net/http"
	"net/url"
	"strings"

	"github.com/oapi-codegen/runtime"
)

// Getter sends the GET of a job.
type Getter struct {
	hc *http.Client
	// prefix is the resolved URL up to the job ID; query holds the
	// organization_id and project_id fragments, fixed per client.
	prefix, query string
	header        http.Header
}

// New returns the Getter of the API at base, sending through hc with the
// headers in header (the auth transport's template, never changed) and the
// organization and project IDs ("" for none).
func New(base *url.URL, hc *http.Client, header http.Header, orgID, projectID string) (Getter, error) {
	// Resolved the way the generated client resolves its paths: against
	// the server URL with a trailing slash.
	server, err := url.Parse(base.String() + "/")
	if err != nil {
		return Getter{}, err
	}
	u, err := server.Parse("./api/v2/extract/")
	if err != nil {
		return Getter{}, err
	}
	var frags []string
	for _, p := range []struct{ name, value string }{{"organization_id", orgID}, {"project_id", projectID}} {
		if p.value == "" {
			continue
		}
		f, err := runtime.StyleParamWithOptions("form", true, p.name, p.value, runtime.StyleParamOptions{ParamLocation: runtime.ParamLocationQuery, Type: "string"})
		if err != nil {
			return Getter{}, err
		}
		frags = append(frags, f)
	}
	return Getter{hc: hc, prefix: u.String(), query: strings.Join(frags, "&"), header: header}, nil
}

// Request builds the GET of job id (checked by the caller) with the expand
// names (none when empty).
func (g Getter) Request(ctx context.Context, id string, expand []string) (*http.Request, error) {
	u := g.prefix + url.PathEscape(id)
	q := g.query
	if len(expand) > 0 {
		f, err := runtime.StyleParamWithOptions("form", true, "expand", expand, runtime.StyleParamOptions{ParamLocation: runtime.ParamLocationQuery, Type: "array"})
		if err != nil {
			return nil, err
		}
		if q != "" {
			f += "&" + q
		}
		q = f
	}
	if q != "" {
		u += "?" + q
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	// Into the request's own (empty) map, the template's value slices
	// shared rather than copied as Header.Clone would: nothing changes a
	// value in place, and Set and Add replace or reallocate the slice.
	for k, v := range g.header {
		req.Header[k] = v[:len(v):len(v)]
	}
	return req, nil
}

// Send sends the GET of job id.
func (g Getter) Send(ctx context.Context, id string, expand []string) (*http.Response, error) {
	req, err := g.Request(ctx, id, expand)
	if err != nil {
		return nil, err
	}
	return g.hc.Do(req)
}
