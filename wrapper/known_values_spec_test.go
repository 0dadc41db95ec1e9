package wrapper_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/extract-go/llamaextract/generated"
	"github.com/extract-go/llamaextract/internal/configcheck"
	"github.com/extract-go/llamaextract/wrapper"
)

// The client accepts exactly the values of openapi.yaml's enums, read from
// generated/ (Valid, and the lists make generate writes), and names them
// when it refuses one: a value the spec gains is a spec line and `make
// generate`, with no hand edit, and the client never refuses what the
// emulator takes. (Attack 18, break 3.)
func TestEnumValuesFollowTheSpec(t *testing.T) {
	c, srv := newClient(t)
	file := srv.AddFile("invoice.txt", []byte(invoiceDoc))
	schema := wrapper.MustSchemaFor[Invoice]()
	create := func(cfg wrapper.ExtractConfig) error {
		cfg.Schema = schema
		_, err := c.CreateJob(context.Background(), wrapper.CreateJobRequest{FileInput: file, Config: cfg})
		return err
	}
	for _, v := range generated.ExtractTierValues() {
		if err := create(wrapper.ExtractConfig{Tier: wrapper.Tier(v)}); err != nil {
			t.Errorf("tier %s: %v", v, err)
		}
	}
	for _, v := range generated.ExtractionTargetValues() {
		if err := create(wrapper.ExtractConfig{Target: wrapper.Target(v)}); err != nil {
			t.Errorf("target %s: %v", v, err)
		}
	}
	for _, v := range generated.ParseTierValues() {
		if err := create(wrapper.ExtractConfig{ParseTier: string(v)}); err != nil {
			t.Errorf("parse tier %s: %v", v, err)
		}
	}
	for _, v := range generated.JobStatusFilterValues() {
		if !wrapper.Status(v).Known() {
			t.Errorf("status %s is not Known", v)
		}
		if _, err := c.ListJobs(context.Background(), wrapper.JobFilter{Status: wrapper.Status(v)}); err != nil {
			t.Errorf("status filter %s: %v", v, err)
		}
	}
	for _, v := range generated.WebhookEventValues() {
		if got, want := wrapper.WebhookEvent(v).Known(), strings.HasPrefix(string(v), "extract."); got != want {
			t.Errorf("event %s: Known() = %v, want %v", v, got, want)
		}
	}
	refusals := []struct {
		cfg  wrapper.ExtractConfig
		want string
	}{
		{wrapper.ExtractConfig{Tier: "no-such-tier"}, configcheck.Listed(generated.ExtractTierValues())},
		{wrapper.ExtractConfig{Target: "no-such-target"}, configcheck.Listed(generated.ExtractionTargetValues())},
		{wrapper.ExtractConfig{ParseTier: "no-such-tier"}, strings.Join(parseTiers(), ", ")},
	}
	for _, r := range refusals {
		var ve *wrapper.ValidationError
		if err := create(r.cfg); !errors.As(err, &ve) || !strings.Contains(err.Error(), r.want) {
			t.Errorf("%+v: %v, want a *ValidationError listing %s", r.cfg, err, r.want)
		}
	}
}

func parseTiers() []string {
	var out []string
	for _, v := range generated.ParseTierValues() {
		out = append(out, string(v))
	}
	return out
}
