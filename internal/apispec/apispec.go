// Package apispec loads the embedded openapi.yaml once and checks HTTP
// traffic against it with kin-openapi. It is the one mechanism both the
// emulator (extracttest, on its own answers) and `llamaextract spec check`
// (on LlamaCloud's) use, so that the two check the same contract the same
// way.
package apispec

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strings"
	"sync"

	"github.com/extract-go/llamaextract"
	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
)

// Doc returns the embedded openapi.yaml, loaded and validated on first use.
// Callers must not modify it.
var Doc = sync.OnceValue(func() *openapi3.T {
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(llamaextract.Spec)
	if err != nil {
		// The spec is embedded and checked by the root package's tests, so
		// this cannot fail in a built binary.
		panic("llamaextract: embedded openapi.yaml does not load: " + err.Error())
	}
	if err := doc.Validate(context.Background()); err != nil {
		panic("llamaextract: embedded openapi.yaml is invalid: " + err.Error())
	}
	return doc
})

// Routes returns one route per operation of Doc, in the order in which
// paths are matched (literal segments before parameters).
func Routes() []*routers.Route {
	doc := Doc()
	var out []*routers.Route
	for _, path := range doc.Paths.InMatchingOrder() {
		item := doc.Paths.Value(path)
		for method, op := range item.Operations() {
			out = append(out, &routers.Route{Spec: doc, Path: path, PathItem: item, Method: method, Operation: op})
		}
	}
	return out
}

// Find returns the route serving method and a URL path (without host), and
// the values of the path's parameters; nil when Doc has no such operation.
func Find(method, urlPath string) (*routers.Route, map[string]string) {
	got := strings.Split(strings.Trim(urlPath, "/"), "/")
	for _, route := range Routes() {
		if route.Method != method {
			continue
		}
		if params, ok := matchPath(route.Path, got); ok {
			return route, params
		}
	}
	return nil, nil
}

func matchPath(template string, got []string) (map[string]string, bool) {
	want := strings.Split(strings.Trim(template, "/"), "/")
	if len(want) != len(got) {
		return nil, false
	}
	params := map[string]string{}
	for i, w := range want {
		if strings.HasPrefix(w, "{") && strings.HasSuffix(w, "}") {
			if got[i] == "" {
				return nil, false
			}
			params[w[1:len(w)-1]] = got[i]
			continue
		}
		if w != got[i] {
			return nil, false
		}
	}
	return params, true
}

// CheckResponse validates one response to r, sent to route, with
// kin-openapi: its status must be documented (an explicit code or default),
// and its content type and body must match. It returns nil when the
// response is valid.
func CheckResponse(ctx context.Context, r *http.Request, route *routers.Route, status int, header http.Header, body []byte) error {
	in := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: r, Route: route},
		Status:                 status,
		Header:                 header,
		Body:                   io.NopCloser(bytes.NewReader(body)),
		Options:                &openapi3filter.Options{IncludeResponseStatus: true},
	}
	return openapi3filter.ValidateResponse(ctx, in)
}

// CheckRequest validates one request (its body given separately, r.Body is
// not read) against route with kin-openapi, authentication aside.
func CheckRequest(ctx context.Context, r *http.Request, route *routers.Route, params map[string]string, body []byte) error {
	req := r.Clone(ctx)
	req.Body = io.NopCloser(bytes.NewReader(body))
	in := &openapi3filter.RequestValidationInput{
		Request:    req,
		PathParams: params,
		Route:      route,
		Options:    &openapi3filter.Options{AuthenticationFunc: openapi3filter.NoopAuthenticationFunc, RejectWhenRequestBodyNotSpecified: true},
	}
	return openapi3filter.ValidateRequest(ctx, in)
}
