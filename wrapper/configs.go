package wrapper

import (
	"context"
	"net/http"
	"strings"

	"github.com/extract-go/llamaextract/generated"
)

// Configuration is a saved product configuration.
type Configuration = generated.ConfigurationResponse

// ExtractParameters turns an ExtractConfig into the parameters of an
// extract_v2 configuration, for CreateConfiguration.
func ExtractParameters(cfg ExtractConfig) (generated.Parameters, error) {
	g, err := cfg.generated("CreateConfiguration", "parameters")
	if err != nil {
		return generated.Parameters{}, err
	}
	var p generated.Parameters
	err = p.FromExtractV2Parameters(generated.ExtractV2Parameters{
		DataSchema: g.DataSchema, CiteSources: g.CiteSources, ConfidenceScores: g.ConfidenceScores,
		DisableCache: g.DisableCache, ExtractionTarget: g.ExtractionTarget, MaxPages: g.MaxPages,
		ParseConfigId: g.ParseConfigId, ParseTier: g.ParseTier, SheetNames: g.SheetNames,
		SpreadsheetMode: g.SpreadsheetMode, SystemPrompt: g.SystemPrompt, TargetPages: g.TargetPages,
		Tier: g.Tier, Version: g.Version,
	})
	return p, err
}

// CreateConfiguration saves a configuration. It upserts: a configuration
// with the same name and product type in the project is updated. Use the
// returned Id as SavedConfig in CreateJobRequest.
func (c *Client) CreateConfiguration(ctx context.Context, cfg generated.ConfigurationCreate) (*Configuration, error) {
	const op = "CreateConfiguration"
	if strings.TrimSpace(cfg.Name) == "" {
		return nil, &ValidationError{Operation: op, Field: "name", Reason: "required"}
	}
	if _, err := cfg.Parameters.Discriminator(); err != nil {
		return nil, &ValidationError{Operation: op, Field: "parameters", Reason: "required; build them with wrapper.ExtractParameters"}
	}
	params := &generated.CreateConfigurationParams{OrganizationId: c.org(), ProjectId: c.project()}
	var out Configuration
	if err := c.call(ctx, op, func(ctx context.Context) (*http.Response, error) {
		return c.gen.CreateConfiguration(ctx, params, cfg)
	}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// GetConfiguration returns a saved configuration.
func (c *Client) GetConfiguration(ctx context.Context, id string) (*Configuration, error) {
	const op = "GetConfiguration"
	if err := checkID(op, "config_id", id); err != nil {
		return nil, err
	}
	var out Configuration
	if err := c.call(ctx, op, func(ctx context.Context) (*http.Response, error) {
		return c.gen.GetConfiguration(ctx, id, &generated.GetConfigurationParams{OrganizationId: c.org(), ProjectId: c.project()})
	}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// UpdateConfiguration changes a saved configuration; nil fields of upd stay
// as they are.
func (c *Client) UpdateConfiguration(ctx context.Context, id string, upd generated.ConfigurationUpdate) (*Configuration, error) {
	const op = "UpdateConfiguration"
	if err := checkID(op, "config_id", id); err != nil {
		return nil, err
	}
	var out Configuration
	if err := c.call(ctx, op, func(ctx context.Context) (*http.Response, error) {
		return c.gen.UpdateConfiguration(ctx, id, &generated.UpdateConfigurationParams{OrganizationId: c.org(), ProjectId: c.project()}, upd)
	}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// DeleteConfiguration deletes a saved configuration.
func (c *Client) DeleteConfiguration(ctx context.Context, id string) error {
	const op = "DeleteConfiguration"
	if err := checkID(op, "config_id", id); err != nil {
		return err
	}
	return c.call(ctx, op, func(ctx context.Context) (*http.Response, error) {
		return c.gen.DeleteConfiguration(ctx, id, &generated.DeleteConfigurationParams{OrganizationId: c.org(), ProjectId: c.project()})
	}, nil)
}

// ListConfigurations returns one page of saved configurations.
func (c *Client) ListConfigurations(ctx context.Context, params generated.ListConfigurationsParams) (*generated.ConfigurationQueryResponse, error) {
	if params.OrganizationId == nil {
		params.OrganizationId = c.org()
	}
	if params.ProjectId == nil {
		params.ProjectId = c.project()
	}
	var out generated.ConfigurationQueryResponse
	if err := c.call(ctx, "ListConfigurations", func(ctx context.Context) (*http.Response, error) {
		return c.gen.ListConfigurations(ctx, &params)
	}, &out); err != nil {
		return nil, err
	}
	return &out, nil
}
