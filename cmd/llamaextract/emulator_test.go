package main

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestEmulatorCommandServesEmptyPage(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"emulator", "--addr", "127.0.0.1:0", "--api-key", "k"}, nil, pw, io.Discard)
		pw.Close()
	}()
	url, err := bufio.NewReader(pr).ReadString('\n')
	if err != nil {
		t.Fatal(err)
	}
	go io.Copy(io.Discard, pr)
	url = strings.TrimSpace(url)
	req, _ := http.NewRequest("GET", url+"/api/v2/extract", nil)
	req.Header.Set("Authorization", "Bearer k")
	client := &http.Client{Timeout: 5 * time.Second}
	res, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	if res.StatusCode != 200 || strings.TrimSpace(string(body)) != `{"items":[]}` {
		t.Fatalf("%d %s", res.StatusCode, body)
	}
	client.CloseIdleConnections()
	cancel()
	if code := <-done; code != 0 {
		t.Fatalf("exit %d", code)
	}
}

func TestEmulatorCommandRejectsBadFlags(t *testing.T) {
	var stderr strings.Builder
	code := run(context.Background(), []string{"emulator", "--fault-rate", "2"}, nil, io.Discard, &stderr)
	if code != exitUsage || !strings.Contains(stderr.String(), "--fault-rate") {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	code = run(context.Background(), []string{"emulator", "--no-such-flag"}, nil, io.Discard, &stderr)
	if code != exitUsage {
		t.Fatalf("unknown flag: exit %d", code)
	}
}
