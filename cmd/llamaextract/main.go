// Command llamaextract extracts structured data from documents with
// LlamaCloud, manages extraction jobs, and serves the local emulator.
//
//	llamaextract extract invoice.pdf --schema schema.json --cite
//	llamaextract jobs list --status COMPLETED --all
//	llamaextract emulator --addr 127.0.0.1:8080
//	llamaextract demo
//
// Data goes to stdout, progress and errors to stderr, so
// `llamaextract extract ... | jq` works. Exit codes: 0 success, 1 the job
// failed or was cancelled, 2 usage error, 3 API or network error.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// run executes the CLI and returns the process exit code; tests call it
// directly.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	root := newRootCmd(stdin, stdout, stderr)
	root.SetArgs(args)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return exitOK
	}
	fmt.Fprintln(stderr, "llamaextract:", trimPrefix(err.Error()))
	if h := hint(err); h != "" {
		fmt.Fprintln(stderr, "  hint:", h)
	}
	return exitCode(err)
}

func trimPrefix(s string) string {
	const p = "llamaextract: "
	if len(s) > len(p) && s[:len(p)] == p {
		return s[len(p):]
	}
	return s
}
