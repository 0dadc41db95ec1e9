package wrapper

import (
	"context"
	"net/http"
	"net/url"
	"strings"

	"github.com/oapi-codegen/runtime"
)

// jobGetter sends GET /api/v2/extract/{job_id}, the request a wait polls
// with and GetJob and GetResult send, without the generated client. The
// generated NewGetExtractJobRequest parses the server URL, formats and
// resolves the operation path and re-parses the result on every call, and
// its request then goes through authTransport's copy: on a small job that
// was a fifth of the client's allocations. jobGetter builds the same URL
// (TestJobGetterMatchesGenerated compares them) from a prefix resolved once,
// and the same headers from a clone of the transport's, which the transport
// then passes through. Every other operation keeps the generated client:
// they are sent far less often than they are waited for.
type jobGetter struct {
	hc *http.Client
	// prefix is the resolved URL up to the job ID; query holds the
	// organization_id and project_id fragments, fixed per client.
	prefix, query string
	header        http.Header
}

func newJobGetter(base *url.URL, hc *http.Client, header http.Header, orgID, projectID string) (jobGetter, error) {
	// Resolved the way the generated client resolves its paths: against
	// the server URL with a trailing slash.
	server, err := url.Parse(base.String() + "/")
	if err != nil {
		return jobGetter{}, err
	}
	u, err := server.Parse("./api/v2/extract/")
	if err != nil {
		return jobGetter{}, err
	}
	var frags []string
	for _, p := range []struct{ name, value string }{{"organization_id", orgID}, {"project_id", projectID}} {
		if p.value == "" {
			continue
		}
		f, err := runtime.StyleParamWithOptions("form", true, p.name, p.value, runtime.StyleParamOptions{ParamLocation: runtime.ParamLocationQuery, Type: "string"})
		if err != nil {
			return jobGetter{}, err
		}
		frags = append(frags, f)
	}
	return jobGetter{hc: hc, prefix: u.String(), query: strings.Join(frags, "&"), header: header}, nil
}

// request builds the GET of job id (checked by the caller) with expand.
func (g jobGetter) request(ctx context.Context, id string, expand []Expand) (*http.Request, error) {
	u := g.prefix + url.PathEscape(id)
	q := g.query
	if len(expand) > 0 {
		f, err := runtime.StyleParamWithOptions("form", true, "expand", *expandParam(expand), runtime.StyleParamOptions{ParamLocation: runtime.ParamLocationQuery, Type: "array"})
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

// send sends the GET of job id.
func (g jobGetter) send(ctx context.Context, id string, expand []Expand) (*http.Response, error) {
	req, err := g.request(ctx, id, expand)
	if err != nil {
		return nil, err
	}
	return g.hc.Do(req)
}
