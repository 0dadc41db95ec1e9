package wrapper

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"os"
	"path/filepath"
	"strings"

	"github.com/extract-go/llamaextract/generated"
)

// File is an uploaded document.
type File = generated.File

// FilePurpose says why a file is stored; it sets the storage and retention
// policy. The wire type is an open string (as in the official SDKs), but the
// service documents the values below as the valid ones and refuses others
// with 400, so Upload checks it before sending.
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

// Valid reports whether p is one of the purposes the service accepts.
func (p FilePurpose) Valid() bool {
	switch p {
	case PurposeUserData, PurposeParse, PurposeExtract, PurposeSplit, PurposeClassify, PurposeSheet, PurposeAgentApp:
		return true
	}
	return false
}

// UploadOptions are optional settings of an upload.
type UploadOptions struct {
	// Purpose defaults to PurposeExtract.
	Purpose FilePurpose
	// ExternalID is your own ID for the file, searchable with ListFiles.
	ExternalID string
	// ContentType of the file part (default application/octet-stream).
	ContentType string
}

// UploadFile uploads the file at path.
func (c *Client) UploadFile(ctx context.Context, path string, opts ...UploadOptions) (*File, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, &ValidationError{Operation: "UploadFile", Field: "file", Reason: err.Error()}
	}
	defer f.Close()
	return c.Upload(ctx, filepath.Base(path), f, opts...)
}

// Upload uploads a document read from r under the given file name (its
// extension tells the service the type). The body is buffered so that a
// failed upload can be retried.
func (c *Client) Upload(ctx context.Context, name string, r io.Reader, opts ...UploadOptions) (*File, error) {
	const op = "UploadFile"
	var o UploadOptions
	if len(opts) > 0 {
		o = opts[0]
	}
	if o.Purpose == "" {
		o.Purpose = PurposeExtract
	}
	if !o.Purpose.Valid() {
		return nil, &ValidationError{Operation: op, Field: "purpose", Reason: fmt.Sprintf("%q is not one of user_data, parse, extract, split, classify, sheet, agent_app", o.Purpose)}
	}
	if strings.TrimSpace(name) == "" {
		name = "unknown_file"
	}
	if r == nil {
		return nil, &ValidationError{Operation: op, Field: "file", Reason: "nil reader"}
	}
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", fmt.Sprintf(`form-data; name="file"; filename=%q`, name))
	ct := o.ContentType
	if ct == "" {
		ct = "application/octet-stream"
	}
	h.Set("Content-Type", ct)
	part, err := mw.CreatePart(h)
	if err == nil {
		_, err = io.Copy(part, r)
	}
	if err == nil {
		err = mw.WriteField("purpose", string(o.Purpose))
	}
	if err == nil && o.ExternalID != "" {
		err = mw.WriteField("external_file_id", o.ExternalID)
	}
	if err == nil {
		err = mw.Close()
	}
	if err != nil {
		return nil, &ValidationError{Operation: op, Field: "file", Reason: "reading: " + err.Error()}
	}
	params := &generated.UploadFileParams{OrganizationId: c.org(), ProjectId: c.project()}
	var out File
	if err := c.call(ctx, op, func(ctx context.Context) (*http.Response, error) {
		return c.gen.UploadFileWithBody(ctx, params, mw.FormDataContentType(), bytes.NewReader(buf.Bytes()))
	}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// GetFile returns an uploaded file's metadata.
func (c *Client) GetFile(ctx context.Context, fileID string) (*File, error) {
	const op = "GetFile"
	if err := checkID(op, "file_id", fileID); err != nil {
		return nil, err
	}
	var out File
	err := c.call(ctx, op, func(ctx context.Context) (*http.Response, error) {
		return c.gen.GetFile(ctx, fileID, &generated.GetFileParams{OrganizationId: c.org(), ProjectId: c.project()})
	}, &out)
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// DeleteFile deletes an uploaded file.
func (c *Client) DeleteFile(ctx context.Context, fileID string) error {
	const op = "DeleteFile"
	if err := checkID(op, "file_id", fileID); err != nil {
		return err
	}
	return c.call(ctx, op, func(ctx context.Context) (*http.Response, error) {
		return c.gen.DeleteFile(ctx, fileID, &generated.DeleteFileParams{OrganizationId: c.org(), ProjectId: c.project()})
	}, nil)
}

// FileDownloadURL returns a presigned link to a file's bytes.
func (c *Client) FileDownloadURL(ctx context.Context, fileID string) (*generated.PresignedURL, error) {
	const op = "GetFileContent"
	if err := checkID(op, "file_id", fileID); err != nil {
		return nil, err
	}
	var out generated.PresignedURL
	err := c.call(ctx, op, func(ctx context.Context) (*http.Response, error) {
		return c.gen.GetFileContent(ctx, fileID, &generated.GetFileContentParams{OrganizationId: c.org(), ProjectId: c.project()})
	}, &out)
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// ListFiles returns one page of files; see generated.ListFilesParams for the
// filters. Organization and project are filled in from the client.
func (c *Client) ListFiles(ctx context.Context, params generated.ListFilesParams) (*generated.FileQueryResponse, error) {
	if params.OrganizationId == nil {
		params.OrganizationId = c.org()
	}
	if params.ProjectId == nil {
		params.ProjectId = c.project()
	}
	var out generated.FileQueryResponse
	err := c.call(ctx, "ListFiles", func(ctx context.Context) (*http.Response, error) {
		return c.gen.ListFiles(ctx, &params)
	}, &out)
	if err != nil {
		return nil, err
	}
	return &out, nil
}
