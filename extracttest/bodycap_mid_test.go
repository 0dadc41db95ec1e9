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

// A file over the upload limit whose request is still under the body cap
// (limit + 1 MiB) is refused by the upload handler, not by the cap. The
// body has then been read to its end, so the rest of it is never parsed as
// a next request: the connection either ends or answers the next request
// as sent.
func TestTooLargeUploadUnderTheBodyCapLeavesNothingOnTheWire(t *testing.T) {
	s := extracttest.NewTestServer(t, extracttest.WithMaxUploadSize(1<<10))
	conn, err := net.Dial("tcp", strings.TrimPrefix(s.URL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if err := conn.SetDeadline(time.Now().Add(10 * time.Second)); err != nil {
		t.Fatal(err)
	}
	body := "--xyz\r\nContent-Disposition: form-data; name=\"purpose\"\r\n\r\nextract\r\n" +
		"--xyz\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.txt\"\r\nContent-Type: text/plain\r\n\r\n" +
		strings.Repeat("a", (1<<10)+(512<<10)) + "\r\n--xyz--\r\n"
	head := fmt.Sprintf("POST /api/v1/beta/files HTTP/1.1\r\nHost: emulator\r\nAuthorization: Bearer k\r\nContent-Type: multipart/form-data; boundary=xyz\r\nContent-Length: %d\r\n\r\n", len(body))
	next := "GET /api/v2/extract HTTP/1.1\r\nHost: emulator\r\nAuthorization: Bearer k\r\n\r\n"
	go func() { _, _ = io.WriteString(conn, head+body+next) }()
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
	second, err := http.ReadResponse(br, nil)
	switch {
	case resp.Close && err == nil:
		t.Fatalf("a response (%d) followed a 413 that said Connection: close", second.StatusCode)
	case !resp.Close && err != nil:
		t.Fatalf("the connection stayed open but the next request got no answer: %v", err)
	case !resp.Close && second.StatusCode != http.StatusOK:
		t.Fatalf("the request after the 413 got %d, want 200: the rest of the refused body was read as a request", second.StatusCode)
	}
}
