package specdrift

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"sort"
	"strconv"
	"strings"

	"github.com/extract-go/llamaextract/internal/apispec"
	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
)

// Checker checks requests and their responses against the embedded
// openapi.yaml and gathers the Findings. The zero value is not usable; call
// NewChecker. It is not safe for concurrent use.
type Checker struct {
	// basePath is the base URL's path (a gateway's "/llama"), which
	// prefixes every operation's path; "" for none.
	basePath  string
	doc       *openapi3.T
	found     findings
	exchanges []Exchange
}

// Exchange is one request the check sent and the status it got.
type Exchange struct {
	Operation string `json:"operation"`
	Method    string `json:"method"`
	Path      string `json:"path"`
	Status    int    `json:"status"`
}

// NewChecker returns a Checker for the embedded openapi.yaml.
func NewChecker() *Checker { return &Checker{doc: apispec.Doc()} }

// Check checks one request (its body in reqBody) and the response it got.
// It returns the operation's ID, or "" when the spec has no operation for
// the request (itself a Finding).
func (c *Checker) Check(ctx context.Context, r *http.Request, reqBody []byte, status int, header http.Header, body []byte) string {
	return c.check(ctx, r, reqBody, status, header, body, false)
}

// check is Check; tooLarge says the body was cut at maxAnswerBytes, so it
// is reported as such and not checked (a cut body is not JSON, and saying
// so would send a maintainer after the wrong problem).
func (c *Checker) check(ctx context.Context, r *http.Request, reqBody []byte, status int, header http.Header, body []byte, tooLarge bool) string {
	apiPath := r.URL.Path
	if rest, ok := strings.CutPrefix(apiPath, c.basePath); ok && strings.HasPrefix(rest, "/") {
		apiPath = rest
	}
	route, params := apispec.Find(r.Method, apiPath)
	if route == nil {
		c.found.add(Finding{Severity: Drift, Kind: KindRequest, Operation: r.Method + " " + apiPath, Status: status, Path: "$",
			Spec: "no such operation", Got: "a request to it"})
		return ""
	}
	op := route.Operation.OperationID
	c.exchanges = append(c.exchanges, Exchange{Operation: op, Method: r.Method, Path: apiPath, Status: status})
	if err := apispec.CheckRequest(ctx, r, route, params, reqBody); err != nil {
		c.found.add(Finding{Severity: Drift, Kind: KindRequest, Operation: op, Path: "$", Spec: "the request the check sends", Got: kinReason(err)})
	}
	before := c.driftCount()
	resp := c.checkStatus(op, route.Operation, status)
	if tooLarge {
		c.found.add(Finding{Severity: Drift, Kind: KindTooLarge, Operation: op, Status: status, Path: "$",
			Spec: fmt.Sprintf("an answer the check reads whole (at most %d MiB)", maxAnswerBytes>>20),
			Got:  fmt.Sprintf("more than %d MiB; not checked", maxAnswerBytes>>20)})
		return op
	}
	if resp != nil {
		c.checkBody(op, status, resp, header, body)
	}
	if err := apispec.CheckResponse(ctx, r, route, status, header, body); err != nil && c.driftCount() == before {
		// kin-openapi found what the walk does not look at (a format, a
		// bound, a content type): report it as it says it.
		c.found.add(Finding{Severity: Drift, Kind: KindSchema, Operation: op, Status: status, Path: schemaPath(err), Spec: "openapi.yaml", Got: kinReason(err)})
	}
	return op
}

// Findings returns what was found so far, drift first.
func (c *Checker) Findings() []Finding { return c.found.sorted() }

// Exchanges returns the requests checked so far, in order.
func (c *Checker) Exchanges() []Exchange { return append([]Exchange(nil), c.exchanges...) }

func (c *Checker) driftCount() int {
	n := 0
	for _, f := range c.found.list {
		if f.Severity == Drift {
			n++
		}
	}
	return n
}

// checkStatus returns the response the operation documents for status.
// A status covered only by default is drift unless it is a 5xx, which
// default documents ("any other error, 5xx included").
func (c *Checker) checkStatus(op string, o *openapi3.Operation, status int) *openapi3.Response {
	if ref := o.Responses.Value(strconv.Itoa(status)); ref != nil {
		return ref.Value
	}
	def := o.Responses.Default()
	if status >= 500 && def != nil {
		return def.Value
	}
	codes := make([]string, 0, o.Responses.Len())
	for code := range o.Responses.Map() {
		codes = append(codes, code)
	}
	sort.Strings(codes)
	c.found.add(Finding{Severity: Drift, Kind: KindStatus, Operation: op, Status: status, Path: "$",
		Spec: "documented statuses " + list(codes), Got: strconv.Itoa(status)})
	if def != nil {
		return def.Value
	}
	return nil
}

// checkBody walks a JSON body against the response's schema.
func (c *Checker) checkBody(op string, status int, resp *openapi3.Response, header http.Header, body []byte) {
	if len(strings.TrimSpace(string(body))) == 0 {
		return
	}
	mt, _, _ := mime.ParseMediaType(header.Get("Content-Type"))
	media := resp.Content.Get(mt)
	if media == nil || media.Schema == nil || !strings.HasSuffix(mt, "json") {
		return
	}
	var v any
	if err := json.Unmarshal(body, &v); err != nil {
		c.found.add(Finding{Severity: Drift, Kind: KindType, Operation: op, Status: status, Path: "$", Spec: "a JSON body", Got: "not JSON"})
		return
	}
	w := &walker{doc: c.doc, op: op, status: status, add: c.found.add}
	w.walk("$", v, media.Schema, 0)
}

// schemaPath is the JSON path of kin-openapi's innermost schema error.
func schemaPath(err error) string {
	var se *openapi3.SchemaError
	if !errors.As(err, &se) {
		return "$"
	}
	at := "$"
	for _, p := range se.JSONPointer() {
		if _, e := strconv.Atoi(p); e == nil {
			at += "[" + p + "]"
		} else {
			at = member(at, p)
		}
	}
	return at
}

// kinReason is kin-openapi's reason without the value it quotes, which may
// be a secret or content.
func kinReason(err error) string {
	var se *openapi3.SchemaError
	if errors.As(err, &se) {
		return oneLine(se.SchemaField + ": " + se.Reason)
	}
	var re *openapi3filter.ResponseError
	if errors.As(err, &re) && re.Reason != "" {
		return oneLine(re.Reason)
	}
	var rq *openapi3filter.RequestError
	if errors.As(err, &rq) && rq.Reason != "" {
		return oneLine(rq.Reason)
	}
	return "refused by kin-openapi"
}

func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 300 {
		s = s[:300] + "..."
	}
	return s
}
