package wrapper

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"time"

	"github.com/extract-go/llamaextract"
	"github.com/extract-go/llamaextract/generated"
	"github.com/extract-go/llamaextract/internal/jsonrest"
)

// File is an uploaded document. It encodes to and decodes from the API's
// JSON, keeping every member the server sent.
type File struct {
	// ID is the file's ID (dfl-...): the FileInput of a job.
	ID string
	// Name is the file name with its extension.
	Name string
	// ProjectID is the project that owns the file.
	ProjectID string
	// FileType is the extension, e.g. "pdf".
	FileType string
	// Purpose says why the file is stored.
	Purpose FilePurpose
	// ExternalID is the caller's own ID for the file (WithExternalID).
	ExternalID string
	// ExpiresAt is when the file is deleted; zero for never.
	ExpiresAt time.Time
	// LastModifiedAt is when the file last changed; zero when not sent.
	LastModifiedAt time.Time

	raw json.RawMessage // the JSON it was read from
}

type fileWire struct {
	ID             string             `json:"id"`
	Name           string             `json:"name"`
	ProjectID      string             `json:"project_id"`
	FileType       *string            `json:"file_type,omitempty"`
	Purpose        *string            `json:"purpose,omitempty"`
	ExternalFileID *string            `json:"external_file_id,omitempty"`
	ExpiresAt      *llamaextract.Time `json:"expires_at,omitempty"`
	LastModifiedAt *llamaextract.Time `json:"last_modified_at,omitempty"`
}

// UnmarshalJSON reads a file in the API's JSON.
func (f *File) UnmarshalJSON(b []byte) error {
	var w fileWire
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	*f = File{ID: w.ID, Name: w.Name, ProjectID: w.ProjectID, FileType: deref(w.FileType),
		Purpose: FilePurpose(deref(w.Purpose)), ExternalID: deref(w.ExternalFileID), raw: bytes.Clone(b)}
	if w.ExpiresAt != nil {
		f.ExpiresAt = w.ExpiresAt.Time
	}
	if w.LastModifiedAt != nil {
		f.LastModifiedAt = w.LastModifiedAt.Time
	}
	return nil
}

// MarshalJSON writes the file in the API's JSON: the fields above, each as
// the server sent it while unchanged, and every other member of the JSON it
// was read from.
func (f File) MarshalJSON() ([]byte, error) {
	return keepSent(f, f.raw, File.fieldsJSON, fileNames, nil)
}

func (f File) fieldsJSON() ([]byte, error) {
	w := fileWire{ID: f.ID, Name: f.Name, ProjectID: f.ProjectID, FileType: optString(f.FileType),
		Purpose: optString(string(f.Purpose)), ExternalFileID: optString(f.ExternalID)}
	if !f.ExpiresAt.IsZero() {
		t := llamaextract.NewTime(f.ExpiresAt)
		w.ExpiresAt = &t
	}
	if !f.LastModifiedAt.IsZero() {
		t := llamaextract.NewTime(f.LastModifiedAt)
		w.LastModifiedAt = &t
	}
	return json.Marshal(w)
}

// fileNames are the members File models; MarshalJSON takes every other
// member from the JSON the file was read from.
var fileNames = jsonrest.MemberNames(reflect.TypeFor[fileWire]())

func (f *File) answerID() string { return f.ID }

func (f *File) validate() error {
	switch {
	case f == nil: // a list item the server sent as null
		return errors.New("null instead of a file")
	case f.ID == "":
		return errors.New("file without an id")
	case f.Name == "":
		return errors.New("file without a name")
	}
	return nil
}

// FilePurpose says why a file is stored; it sets the storage and retention
// policy. The wire type is an open string (as in the official SDKs), but the
// service documents the values below as the valid ones and refuses others
// with 400, so an upload checks it before sending.
type FilePurpose string

// File purposes the service documents.
const (
	PurposeUserData FilePurpose = "user_data"
	PurposeParse    FilePurpose = "parse"
	PurposeExtract  FilePurpose = "extract"
	PurposeSplit    FilePurpose = "split"
	PurposeClassify FilePurpose = "classify"
	PurposeSheet    FilePurpose = "sheet"
	PurposeAgentApp FilePurpose = "agent_app"
)

func (p FilePurpose) known() bool {
	switch p {
	case PurposeUserData, PurposeParse, PurposeExtract, PurposeSplit, PurposeClassify, PurposeSheet, PurposeAgentApp:
		return true
	}
	return false
}

// UploadFile uploads the file at path. It reads WithPurpose and
// WithExternalID. A file that cannot be opened gives
// the *fs.PathError (errors.Is(err, fs.ErrNotExist) holds), before anything
// is sent.
func (c *Client) UploadFile(ctx context.Context, path string, opts ...UploadOption) (*File, error) {
	return c.uploadFile(ctx, path, newUploadSettings(opts))
}

func (c *Client) uploadFile(ctx context.Context, path string, s uploadSettings) (*File, error) {
	f, err := os.Open(path)
	if err != nil {
		// The *fs.PathError names the path; say no more.
		return nil, fmt.Errorf("llamaextract: %s: %w", opUploadFile, err)
	}
	defer f.Close()
	return c.upload(ctx, filepath.Base(path), f, s)
}

// Upload uploads a document read from r under the given file name (its
// extension tells the service the type). An io.ReadSeeker (an *os.File, a
// bytes.Reader) is streamed from its current offset, and sought back there
// for a retry: memory stays small whatever its size. Any other reader is
// buffered so that a failed upload can be retried. It reads WithPurpose and
// WithExternalID.
func (c *Client) Upload(ctx context.Context, name string, r io.Reader, opts ...UploadOption) (*File, error) {
	return c.upload(ctx, name, r, newUploadSettings(opts))
}

func (c *Client) upload(ctx context.Context, name string, r io.Reader, s uploadSettings) (*File, error) {
	purpose := s.purpose
	if purpose == "" {
		purpose = PurposeExtract
	}
	if !purpose.known() {
		return nil, &ValidationError{Operation: opUploadFile, Field: "purpose", Reason: fmt.Sprintf("%q is not one of user_data, parse, extract, split, classify, sheet, agent_app", purpose)}
	}
	if strings.TrimSpace(name) == "" {
		name = "unknown_file"
	}
	if r == nil {
		return nil, &ValidationError{Operation: opUploadFile, Field: "file", Reason: "nil reader"}
	}
	head, tail, contentType := uploadFrame(name, purpose, s.externalID)
	content, size, err := uploadContent(r)
	if err != nil {
		return nil, fmt.Errorf("llamaextract: %s: reading %s: %w", opUploadFile, name, err)
	}
	length := int64(len(head)) + size + int64(len(tail))
	setLength := func(_ context.Context, req *http.Request) error { req.ContentLength = length; return nil }
	params := &generated.UploadFileParams{OrganizationId: c.org(), ProjectId: c.project()}
	var out File
	if err := c.do(ctx, callSpec{op: opUploadFile, out: &out, upload: length}, func(ctx context.Context) (*http.Response, error) {
		body, err := content()
		if err != nil {
			return nil, fmt.Errorf("reading %s: %w", name, err)
		}
		return c.gen.UploadFileWithBody(ctx, params, contentType, io.MultiReader(bytes.NewReader(head), body, bytes.NewReader(tail)), setLength)
	}); err != nil {
		return nil, err
	}
	return &out, nil
}

// uploadFrame is the multipart body of an upload around the file's bytes.
func uploadFrame(name string, purpose FilePurpose, externalID string) (head, tail []byte, contentType string) {
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", fmt.Sprintf(`form-data; name="file"; filename=%q`, name))
	// The service reads the type from the name's extension.
	h.Set("Content-Type", "application/octet-stream")
	// Writing to a bytes.Buffer does not fail.
	_, _ = mw.CreatePart(h)
	head = bytes.Clone(buf.Bytes())
	buf.Reset()
	_ = mw.WriteField("purpose", string(purpose))
	if externalID != "" {
		_ = mw.WriteField("external_file_id", externalID)
	}
	_ = mw.Close()
	return head, buf.Bytes(), mw.FormDataContentType()
}

// uploadContent returns a function that gives the file's bytes from the
// start for each attempt, and their size: a seeker is sought back, any
// other reader is read into memory once.
func uploadContent(r io.Reader) (func() (io.Reader, error), int64, error) {
	if rs, ok := r.(io.ReadSeeker); ok {
		start, err := rs.Seek(0, io.SeekCurrent)
		if err != nil {
			return nil, 0, err
		}
		end, err := rs.Seek(0, io.SeekEnd)
		if err != nil {
			return nil, 0, err
		}
		return func() (io.Reader, error) {
			_, err := rs.Seek(start, io.SeekStart)
			return rs, err
		}, end - start, nil
	}
	b, err := io.ReadAll(r)
	if err != nil {
		return nil, 0, err
	}
	return func() (io.Reader, error) { return bytes.NewReader(b), nil }, int64(len(b)), nil
}

// GetFile returns an uploaded file's metadata.
func (c *Client) GetFile(ctx context.Context, fileID string) (*File, error) {
	return request[File](ctx, c, opGetFile, pathID{"file_id", fileID}, func(ctx context.Context) (*http.Response, error) {
		return c.gen.GetFile(ctx, fileID, &generated.GetFileParams{OrganizationId: c.org(), ProjectId: c.project()})
	})
}

// DeleteFile deletes an uploaded file.
func (c *Client) DeleteFile(ctx context.Context, fileID string) error {
	_, err := request[none](ctx, c, opDeleteFile, pathID{"file_id", fileID}, func(ctx context.Context) (*http.Response, error) {
		return c.gen.DeleteFile(ctx, fileID, &generated.DeleteFileParams{OrganizationId: c.org(), ProjectId: c.project()})
	})
	return err
}

// FileDownloadURL returns a presigned link to a file's bytes and the time
// it stops working.
func (c *Client) FileDownloadURL(ctx context.Context, fileID string) (url string, expires time.Time, err error) {
	p, err := request[generated.PresignedURL](ctx, c, opGetFileContent, pathID{"file_id", fileID}, func(ctx context.Context) (*http.Response, error) {
		return c.gen.GetFileContent(ctx, fileID, &generated.GetFileContentParams{OrganizationId: c.org(), ProjectId: c.project()})
	})
	if err != nil {
		return "", time.Time{}, err
	}
	if p.Url == "" {
		return "", time.Time{}, &InvalidResponseError{Operation: opGetFileContent, StatusCode: http.StatusOK, Reason: "incomplete answer", Err: errors.New("presigned link without a url")}
	}
	return p.Url, p.ExpiresAt.Time, nil
}

// FileFilter selects files for Files and ListFiles. The zero value selects
// every file of the client's project, newest first.
type FileFilter struct {
	// Name selects files with exactly this name.
	Name string
	// ExternalID selects the file with this caller-chosen ID.
	ExternalID string
	// IDs selects these files.
	IDs []string
	// OrderBy sorts the list (default FileOrderCreatedAt).
	OrderBy FileOrder
	// PageSize is the number of files per request (server default when 0).
	PageSize int
	// PageToken is where ListFiles starts: a previous page's
	// NextPageToken. Files ignores it.
	PageToken string
}

func (f FileFilter) params(c *Client) (*generated.ListFilesParams, error) {
	if f.PageSize < 0 {
		return nil, &ValidationError{Operation: opListFiles, Field: "page_size", Reason: "must be positive (0 for the server's default)"}
	}
	p := &generated.ListFilesParams{OrganizationId: c.org(), ProjectId: c.project(),
		FileName: optString(f.Name), ExternalFileId: optString(f.ExternalID), PageToken: optString(f.PageToken)}
	if f.PageSize > 0 {
		n := f.PageSize
		p.PageSize = &n
	}
	if len(f.IDs) > 0 {
		ids := append([]string(nil), f.IDs...)
		p.FileIds = &ids
	}
	p.OrderBy = optString(string(f.OrderBy))
	return p, nil
}

// ListFiles returns one page of files, starting at f.PageToken. Files pages
// for you.
func (c *Client) ListFiles(ctx context.Context, f FileFilter) (*ListPage[*File], error) {
	params, err := f.params(c)
	if err != nil {
		return nil, err
	}
	return listPage[*File](ctx, c, opListFiles, func(ctx context.Context) (*http.Response, error) {
		return c.gen.ListFiles(ctx, params)
	})
}

// Files iterates over every file matching f, fetching pages as the loop
// needs them. An error (including a server that repeats a page token) is
// yielded and ends the iteration.
func (c *Client) Files(ctx context.Context, f FileFilter) iter.Seq2[*File, error] {
	return paginate(opListFiles, func(token string) (*ListPage[*File], error) {
		f.PageToken = token
		return c.ListFiles(ctx, f)
	})
}
