package wrapper

import (
	"context"
	"encoding/json"
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
	// ExtractV2Parameters is ExtractConfiguration plus product_type in the
	// spec (allOf); converting through JSON carries every field, including
	// ones the spec gains later, where a field-by-field copy would drop them.
	var ep generated.ExtractV2Parameters
	if err := convertJSON(g, &ep); err != nil {
		return generated.Parameters{}, err
	}
	var p generated.Parameters
	err = p.FromExtractV2Parameters(ep)
	return p, err
}

func convertJSON(from, to any) error {
	b, err := json.Marshal(from)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, to)
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
