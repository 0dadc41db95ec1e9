package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"strings"

	"github.com/extract-go/llamaextract/wrapper"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

const (
	exitOK        = 0
	exitJobFailed = 1
	exitUsage     = 2
	exitAPI       = 3
)

// usageError marks a mistake in how the command was called (exit 2).
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

func usagef(format string, args ...any) error { return usageError{fmt.Errorf(format, args...)} }

// exitCode decides the exit status from the error's type alone: cobra's
// own usage errors arrive wrapped in usageError (SetFlagErrorFunc, the Args
// validators), a file the user named that cannot be read is an
// *fs.PathError, a request the wrapper refused before sending is a
// *wrapper.ValidationError.
func exitCode(err error) int {
	var ue usageError
	var je *wrapper.JobError
	var ve *wrapper.ValidationError
	var pe *fs.PathError
	var ee exitError
	switch {
	case errors.As(err, &ee):
		return ee.code
	case errors.As(err, &ue), errors.As(err, &ve), errors.As(err, &pe), errors.Is(err, wrapper.ErrNoAPIKey), errors.Is(err, wrapper.ErrInsecureBaseURL), errors.Is(err, wrapper.ErrInvalidBaseURL):
		return exitUsage
	case errors.As(err, &je):
		return exitJobFailed
	}
	return exitAPI
}

// hint adds what to do next to common errors.
func hint(err error) string {
	switch {
	case errors.Is(err, wrapper.ErrNoAPIKey):
		return "set LLAMA_CLOUD_API_KEY or pass --api-key (or try the local emulator: make demo)"
	case errors.Is(err, wrapper.ErrUnauthorized):
		return "check the API key (LLAMA_CLOUD_API_KEY or --api-key) and the region (--base-url)"
	case errors.Is(err, wrapper.ErrRateLimited):
		return "the service is rate limiting; wait and retry, or create fewer jobs per second"
	case errors.Is(err, wrapper.ErrNotFound):
		return "check the ID and --project-id"
	}
	var ce *wrapper.ConnectionError
	if errors.As(err, &ce) {
		return "check the network and --base-url"
	}
	if exitCode(err) == exitUsage {
		return "see llamaextract --help"
	}
	return ""
}

// globals are the flags every command shares.
type globals struct {
	baseURL, apiKey, projectID, orgID string
	output                            string
	verbose                           bool
	stdin                             io.Reader
	stdout, stderr                    io.Writer
	// stderrTTY reports whether stderr is a terminal (live progress line).
	stderrTTY, stdoutTTY bool
}

// envFor maps a flag to the environment variable that sets it when the flag
// is not given. Flags without an entry read LLAMAEXTRACT_<NAME>.
var envFor = map[string][]string{
	"api-key":         {wrapper.EnvAPIKey, wrapper.EnvParseAPIKey},
	"base-url":        {wrapper.EnvBaseURL},
	"project-id":      {"LLAMA_CLOUD_PROJECT_ID"},
	"organization-id": {"LLAMA_CLOUD_ORGANIZATION_ID"},
}

func envNames(flag string) []string {
	if names, ok := envFor[flag]; ok {
		return names
	}
	return []string{"LLAMAEXTRACT_" + strings.ToUpper(strings.ReplaceAll(flag, "-", "_"))}
}

// applyEnv fills every flag not given on the command line from its
// environment variable.
func applyEnv(fs *pflag.FlagSet) error {
	var err error
	fs.VisitAll(func(f *pflag.Flag) {
		if f.Changed || err != nil {
			return
		}
		for _, name := range envNames(f.Name) {
			if v, ok := os.LookupEnv(name); ok && v != "" {
				if e := f.Value.Set(v); e != nil {
					err = usagef("%s=%q (for --%s): %v", name, v, f.Name, e)
				}
				return
			}
		}
	})
	return err
}

func (g *globals) client(extra ...wrapper.Option) (*wrapper.Client, error) {
	if strings.TrimSpace(g.apiKey) == "" {
		return nil, wrapper.ErrNoAPIKey
	}
	opts := []wrapper.Option{wrapper.WithAPIKey(g.apiKey), wrapper.WithUserAgent("llamaextract-cli")}
	if g.baseURL != "" {
		opts = append(opts, wrapper.WithBaseURL(g.baseURL))
	}
	if g.projectID != "" {
		opts = append(opts, wrapper.WithProjectID(g.projectID))
	}
	if g.orgID != "" {
		opts = append(opts, wrapper.WithOrganizationID(g.orgID))
	}
	if g.verbose {
		opts = append(opts, wrapper.WithLogger(slog.New(slog.NewTextHandler(g.stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))))
	}
	return wrapper.New(append(opts, extra...)...)
}

func newRootCmd(stdin io.Reader, stdout, stderr io.Writer) *cobra.Command {
	g := &globals{stdin: stdin, stdout: stdout, stderr: stderr, stderrTTY: isTerminal(stderr), stdoutTTY: isTerminal(stdout)}
	root := &cobra.Command{
		Use:   "llamaextract",
		Args:  subcommandArgs,
		RunE:  showHelp,
		Short: "Extract structured data from documents with LlamaCloud",
		Long: `llamaextract extracts structured data from documents with LlamaCloud Extract.

Every flag can also come from the environment: --api-key from LLAMA_CLOUD_API_KEY
(or LLAMA_PARSE_API_KEY), --base-url from LLAMA_CLOUD_BASE_URL, --project-id from
LLAMA_CLOUD_PROJECT_ID, and any other --some-flag from LLAMAEXTRACT_SOME_FLAG.

Exit codes: 0 success, 1 the job failed or was cancelled, 2 usage error,
3 API or network error.`,
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			if err := applyEnv(cmd.Flags()); err != nil {
				return err
			}
			switch g.output {
			case "json", "jsonl", "table", "auto":
			default:
				return usagef("--output must be json, jsonl, table or auto, not %q", g.output)
			}
			return nil
		},
	}
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError{err} })
	pf := root.PersistentFlags()
	pf.StringVar(&g.baseURL, "base-url", "", "API base URL (default https://api.cloud.llamaindex.ai; EU: https://api.cloud.eu.llamaindex.ai)")
	pf.StringVar(&g.apiKey, "api-key", "", "LlamaCloud API key (default $LLAMA_CLOUD_API_KEY)")
	pf.StringVar(&g.projectID, "project-id", "", "project to act in (default: the key's project)")
	pf.StringVar(&g.orgID, "organization-id", "", "organization to act in")
	pf.StringVarP(&g.output, "output", "o", "auto", "output format: json, jsonl (one row per line, streamed: extract, jobs result, jobs wait), table, or auto (table on a terminal where a command has one)")
	pf.BoolVarP(&g.verbose, "verbose", "v", false, "log every request to stderr (the API key is never logged)")
	root.AddCommand(newExtractCmd(g), newJobsCmd(g), newSchemaCmd(g), newFilesCmd(g), newEmulatorCmd(g), newDemoCmd(g), newBatchCmd(g), newSpecCmd(g))
	return root
}

// runCtx is the context for one command.
func runCtx(cmd *cobra.Command) context.Context {
	if ctx := cmd.Context(); ctx != nil {
		return ctx
	}
	return context.Background()
}

// subcommandArgs refuses arguments to a command that only groups others:
// an argument there is an unknown subcommand.
func subcommandArgs(cmd *cobra.Command, args []string) error {
	if len(args) > 0 {
		return usagef("unknown command %q for %q", args[0], cmd.CommandPath())
	}
	return nil
}

func showHelp(cmd *cobra.Command, _ []string) error { return cmd.Help() }

// groupCmd is a command that only groups subcommands.
func groupCmd(use, short string) *cobra.Command {
	return &cobra.Command{Use: use, Short: short, Args: subcommandArgs, RunE: showHelp}
}

func exactArgs(n int, what string) cobra.PositionalArgs {
	return func(_ *cobra.Command, args []string) error {
		if len(args) != n {
			return usagef("want %s, got %d argument(s)", what, len(args))
		}
		return nil
	}
}
