package extracttest

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/extract-go/llamaextract"
	"github.com/extract-go/llamaextract/generated"
	"github.com/getkin/kin-openapi/openapi3"
)

func (s *Server) uploadFile(rec *recorder, r *http.Request, _ *openapi3.Operation) {
	mr, err := r.MultipartReader()
	if err != nil {
		rec.json(http.StatusBadRequest, errBody("body: send multipart/form-data with parts file and purpose: "+err.Error()))
		return
	}
	var (
		name, purpose string
		external      *string
		content       []byte
		gotFile       bool
	)
	for {
		part, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			rec.json(http.StatusBadRequest, errBody("body: malformed multipart: "+err.Error()))
			return
		}
		data, err := io.ReadAll(io.LimitReader(part, s.cfg.maxUpload+1))
		if err != nil {
			rec.json(http.StatusBadRequest, errBody("body: reading part "+part.FormName()+": "+err.Error()))
			return
		}
		switch part.FormName() {
		case "file":
			if int64(len(data)) > s.cfg.maxUpload {
				rec.json(http.StatusRequestEntityTooLarge, errBody(fmt.Sprintf("file: larger than the %d byte upload limit", s.cfg.maxUpload)))
				return
			}
			name, content, gotFile = part.FileName(), data, true
			if name == "" {
				name = "unknown_file"
			}
		case "purpose":
			purpose = string(data)
		case "external_file_id":
			// FastAPI reads an empty form field as absent: for this
			// optional one that is None, not "".
			if v := string(data); v != "" {
				external = &v
			}
		}
	}
	// FastAPI treats an empty form field as a missing one (422); the
	// schema check has already refused a request without the parts.
	var missing []validationIssue
	for _, p := range []struct {
		name string
		ok   bool
	}{{"file", gotFile}, {"purpose", purpose != ""}} {
		if !p.ok {
			missing = append(missing, validationIssue{Loc: []any{"body", p.name}, Msg: "Field required", Type: "missing"})
		}
	}
	if len(missing) > 0 {
		rec.json(http.StatusUnprocessableEntity, validationBody{Detail: missing})
		return
	}
	// purpose is an open string in the official SDKs, whose doc comment
	// lists the valid values: the handler refuses the others.
	if !knownPurpose(purpose) {
		rec.json(http.StatusBadRequest, errBody(fmt.Sprintf("purpose: %q is not a valid purpose; use one of user_data, parse, extract, split, classify, sheet, agent_app", purpose)))
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	f := s.addFileLocked(name, purpose, external, content, s.project(r))
	rec.json(http.StatusOK, fileView(f))
}

// knownPurpose reports whether p is a value openapi.yaml's FilePurpose
// documents as valid.
func knownPurpose(p string) bool {
	switch p {
	case "user_data", "parse", "extract", "split", "classify", "sheet", "agent_app":
		return true
	}
	return false
}

func fileView(f *file) generated.File {
	purpose := f.purpose
	mod := llamaextract.NewTime(f.created)
	return generated.File{Id: f.id, Name: f.name, ProjectId: f.projectID, Purpose: &purpose,
		ExternalFileId: f.externalID, FileType: f.fileType(), LastModifiedAt: &mod}
}

func (s *Server) lookupFile(rec *recorder, r *http.Request) *file {
	return lookup(s, rec, r, "file_id", "file", s.st.files, func(f *file) string { return f.projectID })
}

func (s *Server) getFile(rec *recorder, r *http.Request, _ *openapi3.Operation) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if f := s.lookupFile(rec, r); f != nil {
		rec.json(http.StatusOK, fileView(f))
	}
}

func (s *Server) deleteFile(rec *recorder, r *http.Request, _ *openapi3.Operation) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f := s.lookupFile(rec, r)
	if f == nil {
		return
	}
	delete(s.st.files, f.id)
	s.st.fileOrder = slices.DeleteFunc(s.st.fileOrder, func(x *file) bool { return x == f })
	rec.noContent()
}

func (s *Server) getFileContent(rec *recorder, r *http.Request, _ *openapi3.Operation) {
	// Any integer passes validation (the SDKs type it number, the Go SDK's
	// own test sends 0): 0 or nothing is the default lifetime, and a
	// negative one would be a link that has already expired.
	secs := 3600
	if v := queryInt(r.URL.Query(), "expires_at_seconds"); v != nil && *v != 0 {
		if *v < 0 {
			rec.json(http.StatusBadRequest, errBody(fmt.Sprintf("expires_at_seconds: %d is negative; send a positive lifetime in seconds, or 0 or nothing for the default (3600)", *v)))
			return
		}
		secs = *v
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	f := s.lookupFile(rec, r)
	if f == nil {
		return
	}
	base := s.URL
	if base == "" {
		base = "http://" + r.Host
	}
	rec.json(http.StatusOK, generated.PresignedURL{
		Url:       base + "/_download/" + f.id,
		ExpiresAt: llamaextract.NewTime(s.now().Add(time.Duration(secs) * time.Second)),
	})
}

// download serves a file's bytes for GetFileContent's presigned URL. Like a
// real presigned link it needs no API key.
func (s *Server) download(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	f := s.st.files[r.PathValue("file_id")]
	var content []byte
	if f != nil {
		content = f.content
	}
	s.mu.Unlock()
	if f == nil {
		writeJSON(w, http.StatusNotFound, errBody("no such file"))
		return
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	_, _ = w.Write(content)
}

// offsetToken pages small collections (files, configurations) by position.
func offsetPage[T any](rec *recorder, items []T, token string, size int) (page []T, next *string, ok bool) {
	start := 0
	if token != "" {
		n, err := decodeToken(token)
		if err != nil {
			rec.json(http.StatusBadRequest, errBody(err.Error()))
			return nil, nil, false
		}
		start = int(n)
	}
	if start > len(items) {
		start = len(items)
	}
	end := min(start+size, len(items))
	if end < len(items) {
		t := encodeToken(int64(end))
		next = &t
	}
	return items[start:end], next, true
}

func (s *Server) listFiles(rec *recorder, r *http.Request, _ *openapi3.Operation) {
	q := r.URL.Query()
	size, ok := pageSize(rec, queryInt(q, "page_size"))
	if !ok {
		return
	}
	// order_by is an open string in the official SDKs, whose doc comment
	// says that anything but these three keys is rejected.
	switch ob := q.Get("order_by"); ob {
	case "", "name", "id", "created_at":
	default:
		rec.json(http.StatusBadRequest, errBody(fmt.Sprintf("order_by: cannot sort by %q; use name, id or created_at (no direction, one field)", ob)))
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	project := s.project(r)
	var matched []*file
	for _, f := range s.st.fileOrder {
		if f.projectID != project ||
			(q.Get("file_name") != "" && f.name != q.Get("file_name")) ||
			(q.Get("external_file_id") != "" && (f.externalID == nil || *f.externalID != q.Get("external_file_id"))) ||
			(len(q["file_ids"]) > 0 && !slices.Contains(q["file_ids"], f.id)) {
			continue
		}
		matched = append(matched, f)
	}
	sortFiles(matched, q.Get("order_by"), false)
	items, next, ok := offsetPage(rec, matched, q.Get("page_token"), size)
	if !ok {
		return
	}
	resp := generated.FileQueryResponse{Items: []generated.File{}, NextPageToken: next}
	for _, f := range items {
		resp.Items = append(resp.Items, fileView(f))
	}
	rec.json(http.StatusOK, resp)
}

func sortFiles(files []*file, orderBy string, desc bool) {
	cmp := func(a, b *file) int { return int(b.seq - a.seq) } // created_at, newest first
	switch orderBy {
	case "name":
		cmp = func(a, b *file) int { return strings.Compare(a.name, b.name) }
	case "id":
		cmp = func(a, b *file) int { return strings.Compare(a.id, b.id) }
	case "created_at":
		if !desc {
			break
		}
	}
	slices.SortStableFunc(files, cmp)
	if desc && orderBy != "created_at" && orderBy != "" {
		slices.Reverse(files)
	}
}

func (s *Server) queryFiles(rec *recorder, r *http.Request, _ *openapi3.Operation) {
	var body generated.FileQueryRequest
	if err := decodeBody(r, &body); err != nil {
		rec.json(http.StatusBadRequest, errBody(err.Error()))
		return
	}
	orderBy, desc := "", false
	if body.OrderBy != nil && *body.OrderBy != "" {
		field, dir, _ := strings.Cut(strings.TrimSpace(strings.Split(*body.OrderBy, ",")[0]), " ")
		if field != "name" && field != "id" && field != "created_at" {
			rec.json(http.StatusBadRequest, errBody(fmt.Sprintf("order_by: cannot sort by %q; use name, id or created_at, optionally followed by \" desc\"", field)))
			return
		}
		orderBy, desc = field, strings.TrimSpace(dir) == "desc"
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	project := s.project(r)
	fl := body.Filter
	var matched []*file
	for _, f := range s.st.fileOrder {
		if f.projectID != project {
			continue
		}
		if fl != nil {
			if (fl.FileName != nil && f.name != *fl.FileName) ||
				(fl.ExternalFileId != nil && (f.externalID == nil || *f.externalID != *fl.ExternalFileId)) ||
				(fl.FileIds != nil && !slices.Contains(*fl.FileIds, f.id)) ||
				(fl.ProjectId != nil && f.projectID != *fl.ProjectId) {
				continue
			}
		}
		matched = append(matched, f)
	}
	sortFiles(matched, orderBy, desc)
	size, ok := pageSize(rec, body.PageSize)
	if !ok {
		return
	}
	tok := ""
	if body.PageToken != nil {
		tok = *body.PageToken
	}
	items, next, ok := offsetPage(rec, matched, tok, size)
	if !ok {
		return
	}
	total := len(matched)
	resp := generated.FileQueryResponse{Items: []generated.File{}, NextPageToken: next, TotalSize: &total}
	for _, f := range items {
		resp.Items = append(resp.Items, fileView(f))
	}
	rec.json(http.StatusOK, resp)
}
