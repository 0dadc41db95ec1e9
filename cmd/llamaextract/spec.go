package main

import (
	"errors"
	"fmt"
	"time"

	"github.com/extract-go/llamaextract/internal/specdrift"
	"github.com/spf13/cobra"
)

// exitDrift is spec check's exit status when the API differs from the spec.
const exitDrift = 1

type specCheckFlags struct {
	create, json         bool
	pollInterval, waitTo time.Duration
}

func newSpecCmd(g *globals) *cobra.Command {
	cmd := groupCmd("spec", "Check the live API against the openapi.yaml built into this binary")
	cmd.AddCommand(newSpecCheckCmd(g))
	return cmd
}

func newSpecCheckCmd(g *globals) *cobra.Command {
	var f specCheckFlags
	cmd := &cobra.Command{
		Use:   "check",
		Short: "Find where LlamaCloud's answers differ from openapi.yaml (read-only unless --create)",
		Long: `Drive a short tour of the API with your key and check every request and
answer against the openapi.yaml built into this binary: kin-openapi's
validation, plus what it lets through - members the spec does not have (at
any depth), values outside a closed enum, required members missing, other
types, nulls where the spec has none, statuses and error bodies an operation
does not document - and new values of the open strings the spec documents
(status, expand, purpose, parse tier, webhook events), reported as
information.

What it sends (about 9 requests, all reads, no credits):
  GET  /api/v2/extract?page_size=5                 a page of jobs
  GET  /api/v1/beta/files?page_size=5              a page of files
  GET  /api/v1/beta/configurations?page_size=5     a page of configurations
  GET  /api/v2/extract/{newest job}?expand=...     with every documented expand
  GET  /api/v1/beta/files/{first file}
  GET  /api/v1/beta/configurations/{first configuration}
  GET  /api/v2/extract/ext-00000000-...            a job that does not exist (the 404)
  POST /api/v2/extract/schema/validation           a two-field schema

With --create it also uploads a 70-byte text document, runs one extraction
(cost_effective tier, one page: about 5 credits, billed to your account),
polls it to the end, reads it back with every expand, and deletes the job
and the file (also when the check ends early, Ctrl-C included).

The report names the operation, the JSON path, what the spec says, what
arrived, and an example value with anything that looks like a secret or a
document's content cut. The API key appears nowhere in it, nor in the -v
lines or an error, in any form a server may echo it (escaped, URL-encoded,
hex, base64, or any 8 of its characters). Each request waits at most a
minute; an answer over 32 MiB is not read further (a too_large finding).

Exit codes: 0 no drift (information only), 1 drift, 2 usage error,
3 network failure or the key was refused, 130 interrupted (Ctrl-C); after
3 or 130 the report says the check did not finish (--json has
"complete": false).`,
		Example: `  llamaextract spec check
  llamaextract spec check --json > drift.json
  llamaextract spec check --create        # costs about 5 credits
  LLAMA_CLOUD_BASE_URL=http://127.0.0.1:8080 LLAMA_CLOUD_API_KEY=any llamaextract spec check --create  # the emulator`,
		Args: exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runSpecCheck(cmd, g, f)
		},
	}
	fl := cmd.Flags()
	fl.BoolVar(&f.create, "create", false, "also upload a tiny document and run one extraction (costs about 5 credits)")
	fl.BoolVar(&f.json, "json", false, "print the report as JSON (also with -o json)")
	fl.DurationVar(&f.pollInterval, "poll-interval", 2*time.Second, "with --create: time between polls of the job")
	fl.DurationVar(&f.waitTo, "timeout", 10*time.Minute, "with --create: stop waiting for the job after this long and cancel it")
	return cmd
}

func runSpecCheck(cmd *cobra.Command, g *globals, f specCheckFlags) error {
	if f.pollInterval <= 0 || f.waitTo <= 0 {
		return usagef("--poll-interval and --timeout must be positive, not %s and %s", f.pollInterval, f.waitTo)
	}
	// The client applies the CLI's rules to the key and the base URL (the
	// environment, the region, https); the tour then sends raw requests so
	// that members the wrapper would not decode are seen.
	c, err := g.client()
	if err != nil {
		return err
	}
	tour := &specdrift.Tour{BaseURL: c.BaseURL(), APIKey: g.apiKey, ProjectID: g.projectID, OrganizationID: g.orgID,
		UserAgent: "llamaextract-cli spec-check", Create: f.create, PollInterval: f.pollInterval, WaitTimeout: f.waitTo}
	if g.verbose || g.stderrTTY {
		tour.Progress = g.stderr
	}
	report, runErr := tour.Run(runCtx(cmd))
	if f.json || g.output == "json" {
		err = report.WriteJSON(g.stdout)
	} else {
		err = report.WriteText(g.stdout)
	}
	var fe *specdrift.FailureError
	switch {
	case runErr != nil && runCtx(cmd).Err() != nil:
		// main's context ends only on SIGINT or SIGTERM.
		return exitError{exitInterrupted, "spec check: interrupted; the check did not finish"}
	case errors.As(runErr, &fe):
		return exitError{exitAPI, trimPrefix(fe.Error())}
	case runErr != nil:
		return runErr
	case err != nil:
		return err
	case report.Drift() > 0:
		return exitError{exitDrift, fmt.Sprintf("spec check: %d drift finding(s) against openapi.yaml", report.Drift())}
	}
	return nil
}
