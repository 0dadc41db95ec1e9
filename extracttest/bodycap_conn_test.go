package extracttest_test

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/extract-go/llamaextract/extracttest"
)

// A refused upload ends the connection: the emulator answers 413 with
// Connection: close and reads no further, so the rest of the refused body
// is never parsed as a next request (which would come back as a 431 or a
// 400 on the same connection).
func TestTooLargeUploadClosesTheConnection(t *testing.T) {
	for _, tc := range []struct {
		name, path, ctype string
		opt               extracttest.Option
		size              int
	}{
		{"upload", "/api/v1/beta/files", "multipart/form-data; boundary=xyz", extracttest.WithMaxUploadSize(1 << 10), 4 << 20},
		{"json", "/api/v2/extract", "application/json", extracttest.WithMaxRequestBytes(1 << 10), 4 << 20},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := extracttest.NewTestServer(t, tc.opt)
			conn, err := net.Dial("tcp", strings.TrimPrefix(s.URL, "http://"))
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			if err := conn.SetDeadline(time.Now().Add(20 * time.Second)); err != nil {
				t.Fatal(err)
			}
			// The body looks like header lines, so a server that reads it
			// as the next request finds a request line and headers.
			line := "X-Filler: " + strings.Repeat("a", 90) + "\r\n"
			body := strings.Repeat(line, tc.size/len(line))
			head := fmt.Sprintf("POST %s HTTP/1.1\r\nHost: emulator\r\nAuthorization: Bearer k\r\nContent-Type: %s\r\nContent-Length: %d\r\n\r\n", tc.path, tc.ctype, len(body))
			go func() {
				// The server may close before everything is written.
				_, _ = io.WriteString(conn, head+body)
			}()
			br := bufio.NewReader(conn)
			resp, err := http.ReadResponse(br, nil)
			if err != nil {
				t.Fatal(err)
			}
			_, _ = io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusRequestEntityTooLarge {
				t.Fatalf("status %d, want 413", resp.StatusCode)
			}
			if !resp.Close {
				t.Errorf("413 without Connection: close (header %q)", resp.Header.Get("Connection"))
			}
			if next, err := http.ReadResponse(br, nil); err == nil {
				t.Fatalf("a second response followed the 413 on the same connection: %d", next.StatusCode)
			}
		})
	}
}
