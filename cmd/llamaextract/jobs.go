package main

import (
	"encoding/json"
	"fmt"
	"io"
	"iter"
	"time"

	"github.com/extract-go/llamaextract/wrapper"
	"github.com/spf13/cobra"
)

func newJobsCmd(g *globals) *cobra.Command {
	cmd := groupCmd("jobs", "List, inspect, wait for, cancel and delete extraction jobs")
	cmd.AddCommand(newJobsListCmd(g), newJobsGetCmd(g), newJobsResultCmd(g), newJobsWaitCmd(g), newJobsCancelCmd(g), newJobsDeleteCmd(g))
	return cmd
}

func newJobsListCmd(g *globals) *cobra.Command {
	var (
		status, fileInput, configID, since string
		pageSize                           int
		all                                bool
	)
	cmd := &cobra.Command{
		Use:     "list",
		Short:   "List jobs, newest first",
		Example: "  llamaextract jobs list --status FAILED --all -o json | jq -r '.[].id'",
		Args:    exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			f := wrapper.JobFilter{Status: wrapper.Status(status), FileInput: fileInput, ConfigurationID: configID, PageSize: pageSize}
			if since != "" {
				d, err := time.ParseDuration(since)
				if err != nil {
					return usagef("--since: %v (e.g. 24h)", err)
				}
				f.CreatedAfter = time.Now().Add(-d)
			}
			c, err := g.client()
			if err != nil {
				return err
			}
			ctx := runCtx(cmd)
			if !all {
				page, err := c.ListJobs(ctx, f)
				if err != nil {
					return err
				}
				if g.table() {
					if err := writeJobTable(g.stdout, page.Items, true); err != nil {
						return err
					}
					if page.NextPageToken != "" {
						fmt.Fprintln(g.stderr, "more jobs exist: pass --all to list every page")
					}
					return nil
				}
				return writeJSON(g.stdout, page.Items)
			}
			return streamJobs(g, c.Jobs(ctx, f))
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&status, "status", "", "only jobs in this status (PENDING, THROTTLED, RUNNING, COMPLETED, FAILED, CANCELLED)")
	fl.StringVar(&fileInput, "file-input", "", "only jobs of this file or parse job")
	fl.StringVar(&configID, "config-id", "", "only jobs that used this saved configuration")
	fl.StringVar(&since, "since", "", "only jobs created within this duration, e.g. 24h")
	fl.IntVar(&pageSize, "page-size", 0, "jobs per request")
	fl.BoolVar(&all, "all", false, "follow every page")
	return cmd
}

// streamJobs writes jobs as they arrive: a table, or a JSON array written
// element by element so memory stays at one page.
func streamJobs(g *globals, jobs iter.Seq2[*wrapper.Job, error]) error {
	table := g.table()
	n := 0
	var iterErr error
	if !table {
		io.WriteString(g.stdout, "[")
	}
	for job, err := range jobs {
		if err != nil {
			iterErr = err
			break
		}
		if table {
			if err := writeJobTable(g.stdout, []*wrapper.Job{job}, n == 0); err != nil {
				return err
			}
		} else {
			if n > 0 {
				io.WriteString(g.stdout, ",")
			}
			io.WriteString(g.stdout, "\n")
			if err := writeJSONCompact(g.stdout, job); err != nil {
				return err
			}
		}
		n++
	}
	if !table {
		io.WriteString(g.stdout, "\n]\n")
	}
	return iterErr
}

func newJobsGetCmd(g *globals) *cobra.Command {
	var expand []string
	cmd := &cobra.Command{
		Use:   "get JOB_ID",
		Short: "Print a job as JSON",
		Args:  exactArgs(1, "one job ID"),
		RunE: func(cmd *cobra.Command, args []string) error {
			var ex []wrapper.Expand
			for _, e := range expand {
				ex = append(ex, wrapper.Expand(e))
			}
			c, err := g.client()
			if err != nil {
				return err
			}
			job, err := c.GetJob(runCtx(cmd), args[0], wrapper.WithExpand(ex...))
			if err != nil {
				return err
			}
			return writeJSON(g.stdout, job)
		},
	}
	cmd.Flags().StringSliceVar(&expand, "expand", nil, "include configuration, extract_metadata and/or usage (other names are sent as is)")
	return cmd
}

func newJobsResultCmd(g *globals) *cobra.Command {
	var metadata bool
	cmd := &cobra.Command{
		Use:   "result JOB_ID",
		Short: "Print a finished job's result",
		Long: `Print a finished job's result as JSON. With -o jsonl the rows of a
per_table_row or per_page result are streamed as JSON Lines, one row per
line, as they arrive: a result larger than memory can be written to a file.
Exit 1 if the job failed or was cancelled.`,
		Example: "  llamaextract jobs result ext-1234... -o jsonl > rows.jsonl",
		Args:    exactArgs(1, "one job ID"),
		RunE: func(cmd *cobra.Command, args []string) error {
			if g.jsonl() && metadata {
				return usagef("--metadata is not available with -o jsonl; use -o json")
			}
			c, err := g.client()
			if err != nil {
				return err
			}
			ctx := runCtx(cmd)
			if g.jsonl() {
				return writeRowsJSONL(ctx, g.stdout, c, args[0])
			}
			var opts []wrapper.GetOption
			if metadata {
				opts = append(opts, wrapper.WithExpand(wrapper.ExpandExtractMetadata))
			}
			result, job, err := wrapper.GetResult[json.RawMessage](ctx, c, args[0], opts...)
			if err != nil {
				return err
			}
			return printResult(g, result, job, metadata)
		},
	}
	cmd.Flags().BoolVar(&metadata, "metadata", false, "print {result, metadata}")
	return cmd
}

func newJobsWaitCmd(g *globals) *cobra.Command {
	var f extractFlags
	cmd := &cobra.Command{
		Use:   "wait JOB_ID",
		Short: "Wait for a job to finish and print its result",
		Long:  "Wait for a job to finish, with progress on stderr, and print its result. Exit 1 if it failed or was cancelled.",
		Args:  exactArgs(1, "one job ID"),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := g.client()
			if err != nil {
				return err
			}
			if g.jsonl() && f.metadata {
				return usagef("--metadata is not available with -o jsonl; use -o json")
			}
			done, err := c.Wait(runCtx(cmd), args[0], f.waitOptions(g, newProgress(g))...)
			if err != nil {
				return explainTimeout(err)
			}
			if g.jsonl() {
				return writeRowsJSONL(runCtx(cmd), g.stdout, c, done.ID)
			}
			result, err := wrapper.Decode[json.RawMessage](done)
			if err != nil {
				return err
			}
			return printResult(g, result, done, f.metadata)
		},
	}
	cmd.Flags().DurationVar(&f.timeout, "timeout", 30*time.Minute, "give up after this long (the job is cancelled)")
	cmd.Flags().BoolVar(&f.metadata, "metadata", false, "print {result, metadata}")
	cmd.Flags().DurationVar(&f.pollInterval, "poll-interval", 0, "check every interval instead of the default schedule")
	return cmd
}

func newJobsCancelCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "cancel JOB_ID",
		Short: "Cancel a job that has not finished",
		Args:  exactArgs(1, "one job ID"),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := g.client()
			if err != nil {
				return err
			}
			job, err := c.CancelJob(runCtx(cmd), args[0])
			if err != nil {
				return err
			}
			return writeJSON(g.stdout, job)
		},
	}
}

func newJobsDeleteCmd(g *globals) *cobra.Command {
	return &cobra.Command{
		Use:   "delete JOB_ID",
		Short: "Delete a finished job and its results",
		Args:  exactArgs(1, "one job ID"),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := g.client()
			if err != nil {
				return err
			}
			if err := c.DeleteJob(runCtx(cmd), args[0]); err != nil {
				return err
			}
			fmt.Fprintf(g.stderr, "deleted %s\n", args[0])
			return nil
		},
	}
}
