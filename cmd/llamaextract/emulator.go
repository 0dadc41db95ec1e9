package main

import (
	"fmt"
	"time"

	"github.com/extract-go/llamaextract/extracttest"
	"github.com/spf13/cobra"
)

func newEmulatorCmd(g *globals) *cobra.Command {
	var (
		addr, apiKey string
		duration     time.Duration
		faultRate    float64
		createRate   float64
		failRatio    float64
	)
	cmd := &cobra.Command{
		Use:   "emulator",
		Short: "Serve the in-memory LlamaCloud emulator for clients in any language",
		Long: `Serve the in-memory LlamaCloud emulator. Every request and response is
validated against openapi.yaml. Point any client at the printed URL with any
API key (or the one given with --api-key). Stop it with Ctrl-C.

Its counters (jobs created per file, 429s, requests per operation) are served
as JSON at GET /_emulator/stats, outside the API's paths.`,
		Args: exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if faultRate < 0 || faultRate >= 1 {
				return usageError{fmt.Errorf("--fault-rate must be in [0, 1), got %g", faultRate)}
			}
			if failRatio < 0 || failRatio > 1 {
				return usageError{fmt.Errorf("--fail-ratio must be in [0, 1], got %g", failRatio)}
			}
			opts := []extracttest.Option{extracttest.WithAddr(addr), extracttest.WithJobDuration(duration)}
			if apiKey != "" {
				opts = append(opts, extracttest.WithAPIKey(apiKey))
			}
			if failRatio > 0 {
				opts = append(opts, extracttest.WithFailRatio(failRatio))
			}
			if createRate > 0 {
				opts = append(opts, extracttest.WithCreateRateLimit(createRate, max(1, int(createRate))))
			}
			if g.verbose {
				opts = append(opts, extracttest.WithLogf(func(format string, args ...any) {
					fmt.Fprintf(cmd.ErrOrStderr(), format+"\n", args...)
				}))
			}
			s := extracttest.New(opts...)
			if err := s.Start(); err != nil {
				return usageError{fmt.Errorf("--addr: %w", err)}
			}
			defer s.Close()
			if faultRate > 0 {
				s.InjectFault(extracttest.Fault{Kind: extracttest.FaultStatus, Status: 503, RetryAfter: "1", Probability: faultRate})
			}
			fmt.Fprintln(cmd.OutOrStdout(), s.URL)
			fmt.Fprintf(cmd.ErrOrStderr(), "LlamaCloud emulator (local, in memory) listening on %s\n", s.URL)
			fmt.Fprintf(cmd.ErrOrStderr(), "try: LLAMA_CLOUD_BASE_URL=%s LLAMA_CLOUD_API_KEY=any llamaextract jobs list\n", s.URL)
			<-cmd.Context().Done()
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&addr, "addr", "127.0.0.1:8080", "address to listen on")
	f.StringVar(&apiKey, "api-key", "", "accept only this API key (default: any non-empty key)")
	f.DurationVar(&duration, "job-duration", 3*time.Second, "how long each job takes to complete")
	f.Float64Var(&faultRate, "fault-rate", 0, "share of requests answered 503 with Retry-After (0 to 1)")
	f.Float64Var(&createRate, "create-rate-limit", 0, "job creations per second before 429 (0: no limit; LlamaCloud: about 15)")
	f.Float64Var(&failRatio, "fail-ratio", 0, "share of jobs that end FAILED (0 to 1)")
	return cmd
}
