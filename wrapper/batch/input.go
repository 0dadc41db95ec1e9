package batch

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
)

// maxUploadSize is the service's upload limit for a document (100 MB):
// a larger file is refused before anything is sent.
const maxUploadSize = 100 << 20

// input is a document opened for upload: a regular file within the upload
// limit, hashed by streaming, whose reader fails when the content read
// differs from what was hashed.
type input struct {
	f    *os.File
	hash string
	size int64
}

// openInput opens path, refusing what cannot be uploaded (a missing file,
// a device, a directory, a file above the upload limit) with an
// *InputError.
func openInput(path string) (*input, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, &InputError{Input: path, Err: err}
	}
	fi, err := f.Stat()
	switch {
	case err != nil:
	case !fi.Mode().IsRegular():
		err = &InputError{Input: path, Reason: fmt.Sprintf("not a regular file (%s); pass documents, not devices, pipes or directories", fi.Mode().Type())}
	case fi.Size() > maxUploadSize:
		err = &InputError{Input: path, Reason: fmt.Sprintf("%d bytes, above the %d byte upload limit", fi.Size(), maxUploadSize)}
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	h := sha256.New()
	n, err := io.Copy(h, io.LimitReader(f, maxUploadSize+1))
	if err == nil {
		_, err = f.Seek(0, io.SeekStart)
	}
	if err != nil {
		f.Close()
		return nil, &InputError{Input: path, Err: err}
	}
	return &input{f: f, hash: hex.EncodeToString(h.Sum(nil)), size: n}, nil
}

func (in *input) Read(p []byte) (int, error) { return in.f.Read(p) }

func (in *input) Close() error { return in.f.Close() }
