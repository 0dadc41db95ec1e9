package fileinput_test

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/extract-go/llamaextract/internal/fileinput"
)

// Open checks and hashes a document before anything is sent; each upload
// attempt reads it through a fresh Reader, which fails instead of ending
// normally if the file changed since.
func ExampleOpen() {
	dir, _ := os.MkdirTemp("", "example")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "invoice.txt")
	_ = os.WriteFile(path, []byte("Invoice 42: 100 EUR"), 0o600)

	in, err := fileinput.Open(path, fileinput.MaxUploadSize)
	if err != nil {
		fmt.Println(err) // refused before any request: missing, not a regular file, too large
		return
	}
	fmt.Println(in.Name(), in.Size(), in.Hash()[:12])

	r, err := in.Reader()
	if err != nil {
		fmt.Println(err)
		return
	}
	defer r.Close()
	n, err := io.Copy(io.Discard, r) // the upload's body
	fmt.Println(n, err)

	_ = os.WriteFile(path, []byte("Invoice 42: 999 EUR"), 0o600)
	r2, _ := in.Reader()
	defer r2.Close()
	_, err = io.Copy(io.Discard, r2)
	fmt.Println(errors.Is(err, fileinput.ErrChanged))
	// Output:
	// invoice.txt 19 cda833700874
	// 19 <nil>
	// true
}
