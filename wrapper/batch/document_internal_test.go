package batch

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/extract-go/llamaextract/extracttest"
	"github.com/extract-go/llamaextract/wrapper"
)

type keyDoc struct {
	Number string `json:"number"`
}

// A state file written while relative paths were keyed by $PWD's
// spelling (through a link) resumes from that directory as it was: its
// documents are found under their old keys, not extracted again.
func TestKeyOfKeepsTheKeysOfAnOlderStateFile(t *testing.T) {
	srv := extracttest.NewTestServer(t, extracttest.WithJobDuration(5*time.Millisecond))
	c, err := wrapper.New(wrapper.WithBaseURL(srv.URL), wrapper.WithAPIKey("k"), wrapper.WithHTTPClient(srv.Client()))
	if err != nil {
		t.Fatal(err)
	}
	real, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(t.TempDir(), "link")
	if err := os.Symlink(real, link); err != nil {
		t.Skipf("no symbolic links here: %v", err)
	}
	content := []byte("Number: N-1\n")
	if err := os.WriteFile(filepath.Join(real, "a.txt"), content, 0o600); err != nil {
		t.Fatal(err)
	}
	t.Chdir(link)
	x, err := New[keyDoc](c, wrapper.ExtractConfig{}, WithState(filepath.Join(t.TempDir(), "s")))
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	old := filepath.Join(link, "a.txt") // the key an older version wrote
	sum := sha256.Sum256(content)
	hash := hex.EncodeToString(sum[:])
	if err := x.e.journal.Uploaded(old, hash, "dfl-old"); err != nil {
		t.Fatal(err)
	}
	if err := x.e.journal.Finished(old, hash, "ext-old", "COMPLETED", false, nil); err != nil {
		t.Fatal(err)
	}
	for it, err := range x.Run(context.Background(), slices.Values([]string{"a.txt"})) {
		t.Errorf("yielded %q again: %v", it.Input, err)
	}
	if n := srv.Stats().JobsCreated; n != 0 || x.Progress().Skipped != 1 {
		t.Errorf("%d jobs, %d skipped; the document was done under its old key", n, x.Progress().Skipped)
	}
}
