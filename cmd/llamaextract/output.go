package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"text/tabwriter"
	"time"

	"github.com/extract-go/llamaextract/wrapper"
	"golang.org/x/term"
)

func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// writeJSON writes v indented, followed by a newline.
func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// writeRaw writes raw JSON indented.
func writeRaw(w io.Writer, raw json.RawMessage) error {
	if len(raw) == 0 {
		raw = json.RawMessage("null")
	}
	var buf bytes.Buffer
	if err := json.Indent(&buf, raw, "", "  "); err != nil {
		buf.Reset()
		buf.Write(raw)
	}
	buf.WriteByte('\n')
	_, err := w.Write(buf.Bytes())
	return err
}

// writeRowsJSONL streams the rows of a per_table_row or per_page job's
// result to w as JSON Lines, one row per line, as they arrive: memory
// follows the largest row, not the result.
func writeRowsJSONL(ctx context.Context, w io.Writer, c *wrapper.Client, jobID string) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	var line bytes.Buffer
	for row, err := range wrapper.Rows[json.RawMessage](ctx, c, jobID) {
		if err != nil {
			bw.Flush()
			var se *wrapper.ShapeError
			if errors.As(err, &se) && se.Got == "object" {
				return usageError{fmt.Errorf("%w; -o jsonl writes the rows of a per_table_row or per_page result, use -o json for a per_doc one", err)}
			}
			return err
		}
		line.Reset()
		if err := json.Compact(&line, row.Value); err != nil {
			bw.Flush()
			return fmt.Errorf("row %d: %w", row.Index, err)
		}
		line.WriteByte('\n')
		if _, err := bw.Write(line.Bytes()); err != nil {
			return err
		}
	}
	return bw.Flush()
}

func (g *globals) jsonl() bool { return g.output == "jsonl" }

func (g *globals) table() bool {
	return g.output == "table" || (g.output == "auto" && g.stdoutTTY)
}

func writeJobTable(w io.Writer, jobs []*wrapper.Job, header bool) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	if header {
		fmt.Fprintln(tw, "ID\tSTATUS\tCREATED\tFILE INPUT\tERROR")
	}
	for _, j := range jobs {
		msg := j.ErrorMessage
		if len(msg) > 60 {
			msg = msg[:57] + "..."
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", j.ID, j.Status, j.CreatedAt.UTC().Format(time.RFC3339), j.FileInput, msg)
	}
	return tw.Flush()
}

// progress reports a wait on stderr: one live line on a terminal, plain
// lines (one per status change) otherwise.
type progress struct {
	w     io.Writer
	live  bool
	start time.Time
	last  wrapper.Status
	quiet bool
}

func newProgress(g *globals) *progress {
	return &progress{w: g.stderr, live: g.stderrTTY, start: time.Now()}
}

func (p *progress) update(j *wrapper.Job) {
	if p.quiet {
		return
	}
	elapsed := time.Since(p.start).Round(100 * time.Millisecond)
	st := j.Status
	label := string(st)
	if !st.Known() {
		// The spec has a status it does not document mean "not finished":
		// the wait goes on, and says why it does not end.
		label = fmt.Sprintf("%q (a status this client does not know; waiting on until the job ends or the timeout)", st)
	}
	if p.live {
		fmt.Fprintf(p.w, "\r\033[K%-10s %6s  %s", label, elapsed, j.ID)
		if st.Terminal() {
			fmt.Fprintln(p.w)
		}
		return
	}
	if st != p.last {
		fmt.Fprintf(p.w, "%s %s after %s\n", j.ID, label, elapsed)
	}
	p.last = st
}
