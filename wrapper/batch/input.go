package batch

import (
	"errors"
	"fmt"
	"io"

	"github.com/extract-go/llamaextract/internal/fileinput"
)

// openInput opens a document for upload with the one file-input rule: a
// regular file within the upload limit (fileinput.MaxUploadSize), hashed by
// streaming. What cannot be uploaded (a missing file, a device, a
// directory, a file above the limit) is an *InputError wrapping the cause,
// for this document alone.
func openInput(path string) (*input, error) {
	in, err := fileinput.Open(path, fileinput.MaxUploadSize)
	if err != nil {
		ie := &InputError{Input: path, Err: err}
		switch {
		case errors.Is(err, fileinput.ErrNotRegular):
			ie.Reason = "pass documents, not devices, pipes or directories"
		case errors.Is(err, fileinput.ErrTooLarge):
			ie.Reason = fmt.Sprintf("split it, or extract fewer pages of it: this client uploads at most %d bytes, LlamaCloud's limit", fileinput.MaxUploadSize)
		}
		return nil, ie
	}
	return &input{in: in}, nil
}

// input streams an opened document to wrapper.Upload as an io.ReadSeeker:
// each retry seeks back to the start, which opens the file again, and every
// pass checks the content against the hash the batch journaled.
type input struct {
	in  *fileinput.Input
	r   io.ReadCloser
	err error
}

func (x *input) hash() string { return x.in.Hash() }

func (x *input) Read(p []byte) (int, error) {
	if x.err != nil {
		return 0, x.err
	}
	if x.r == nil {
		if x.r, x.err = x.in.Reader(); x.err != nil {
			return 0, x.err
		}
	}
	return x.r.Read(p)
}

// Seek supports what wrapper.Upload asks of it: the current offset at the
// start, the size, and a rewind.
func (x *input) Seek(offset int64, whence int) (int64, error) {
	switch {
	case offset == 0 && whence == io.SeekCurrent && x.r == nil:
		return 0, nil
	case offset == 0 && whence == io.SeekEnd:
		return x.in.Size(), nil
	case offset == 0 && whence == io.SeekStart:
		x.Close()
		x.err = nil
		return 0, nil
	}
	return 0, fmt.Errorf("seek to %d from %d: not supported", offset, whence)
}

// Close closes the file being read, if any.
func (x *input) Close() error {
	if x.r == nil {
		return nil
	}
	err := x.r.Close()
	x.r = nil
	return err
}
