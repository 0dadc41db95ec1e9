// Package exampleenv gives the example programs a client: LlamaCloud when
// LLAMA_CLOUD_API_KEY is set, otherwise the in-memory emulator, so every
// example runs anywhere.
package exampleenv

import (
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/extract-go/llamaextract/extracttest"
	"github.com/extract-go/llamaextract/wrapper"
)

// Client returns a client and a func to call when done.
func Client() (*wrapper.Client, func(), error) {
	if os.Getenv(wrapper.EnvAPIKey) != "" || os.Getenv(wrapper.EnvParseAPIKey) != "" {
		c, err := wrapper.New()
		return c, func() {}, err
	}
	fmt.Fprintln(os.Stderr, "no LLAMA_CLOUD_API_KEY: using the local emulator (in memory, no network)")
	srv := extracttest.NewServer(extracttest.WithJobDuration(1500 * time.Millisecond))
	c, err := wrapper.New(wrapper.WithBaseURL(srv.URL), wrapper.WithAPIKey("emulator"), wrapper.WithHTTPClient(srv.Client()))
	return c, srv.Close, err
}

// SampleFile writes an embedded sample to a temporary file and returns its
// path, unless path is already set.
func SampleFile(path, name string, content []byte) (string, error) {
	if path != "" {
		return path, nil
	}
	p := filepath.Join(os.TempDir(), name)
	return p, os.WriteFile(p, content, 0o600)
}
