package wrapper

import (
	"context"
	"encoding/json"
	"errors"
	"iter"
	"net/http"
	"strings"
	"time"

	"github.com/extract-go/llamaextract"
	"github.com/extract-go/llamaextract/generated"
)

// productExtract is the product type of the configurations this package
// runs.
const productExtract = "extract_v2"

// Configuration is a saved configuration. Run a job with it by passing
// SavedConfig(c.ID) where a Config is wanted. It encodes to and decodes
// from the API's JSON.
type Configuration struct {
	ID, Name string
	// Version is the service's version of the configuration.
	Version string
	// ProductType is "extract_v2" for a configuration a job can run; the
	// service also stores other products' configurations.
	ProductType string
	// Config is what an extract_v2 configuration holds; zero for other
	// products.
	Config ExtractConfig
	// CreatedAt and UpdatedAt are zero when the server did not send them.
	CreatedAt, UpdatedAt time.Time

	parameters json.RawMessage
}

type configurationWire struct {
	ID          string             `json:"id"`
	Name        string             `json:"name"`
	Version     string             `json:"version"`
	ProductType string             `json:"product_type"`
	Parameters  json.RawMessage    `json:"parameters"`
	CreatedAt   *llamaextract.Time `json:"created_at,omitempty"`
	UpdatedAt   *llamaextract.Time `json:"updated_at,omitempty"`
}

// UnmarshalJSON reads a configuration in the API's JSON.
func (c *Configuration) UnmarshalJSON(b []byte) error {
	var w configurationWire
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	cfg, err := parametersConfig(w.Parameters)
	if err != nil {
		return err
	}
	*c = Configuration{ID: w.ID, Name: w.Name, Version: w.Version, ProductType: w.ProductType, Config: cfg, parameters: present(w.Parameters)}
	if w.CreatedAt != nil {
		c.CreatedAt = w.CreatedAt.Time
	}
	if w.UpdatedAt != nil {
		c.UpdatedAt = w.UpdatedAt.Time
	}
	return nil
}

// MarshalJSON writes the configuration in the API's JSON.
func (c Configuration) MarshalJSON() ([]byte, error) {
	w := configurationWire{ID: c.ID, Name: c.Name, Version: c.Version, ProductType: c.ProductType, Parameters: c.parameters}
	if w.Parameters == nil && !c.Config.Schema.IsZero() {
		p, err := c.Config.parameters(opCreateConfiguration)
		if err != nil {
			return nil, err
		}
		if w.Parameters, err = p.MarshalJSON(); err != nil {
			return nil, err
		}
	}
	if !c.CreatedAt.IsZero() {
		t := llamaextract.NewTime(c.CreatedAt)
		w.CreatedAt = &t
	}
	if !c.UpdatedAt.IsZero() {
		t := llamaextract.NewTime(c.UpdatedAt)
		w.UpdatedAt = &t
	}
	return json.Marshal(w)
}

func (c *Configuration) validate() error {
	switch {
	case c == nil: // a list item the server sent as null
		return errors.New("null instead of a configuration")
	case c.ID == "":
		return errors.New("configuration without an id")
	case c.Name == "":
		return errors.New("configuration without a name")
	}
	return nil
}

// Generated returns the configuration as the generated client's type: the
// escape hatch to other products' parameters. Its type may change with
// openapi.yaml.
func (c *Configuration) Generated() (generated.ConfigurationResponse, error) {
	var g generated.ConfigurationResponse
	b, err := c.MarshalJSON()
	if err == nil {
		err = json.Unmarshal(b, &g)
	}
	return g, err
}

// parametersConfig reads extract_v2 parameters; other products give a zero
// ExtractConfig.
func parametersConfig(raw json.RawMessage) (ExtractConfig, error) {
	if present(raw) == nil {
		return ExtractConfig{}, nil
	}
	var head struct {
		ProductType string `json:"product_type"`
	}
	if err := json.Unmarshal(raw, &head); err != nil {
		return ExtractConfig{}, err
	}
	if head.ProductType != productExtract {
		return ExtractConfig{}, nil
	}
	// ExtractV2Parameters is ExtractConfiguration plus product_type.
	return readExtractConfig(raw)
}

// parameters converts c to extract_v2 parameters.
func (c ExtractConfig) parameters(op string) (generated.Parameters, error) {
	g, err := c.wire(op, "parameters")
	if err != nil {
		return generated.Parameters{}, err
	}
	// Converting through JSON carries every field, including ones the spec
	// gains later, where a field-by-field copy would drop them.
	b, err := json.Marshal(g)
	if err != nil {
		return generated.Parameters{}, err
	}
	var ep generated.ExtractV2Parameters
	if err := json.Unmarshal(b, &ep); err != nil {
		return generated.Parameters{}, err
	}
	ep.ProductType = generated.ExtractV2ParametersProductTypeExtractV2
	var p generated.Parameters
	err = p.FromExtractV2Parameters(ep)
	return p, err
}

// ConfigurationRequest is a configuration to save: its Name and its
// Config. GenerateSchema drafts one.
type ConfigurationRequest struct {
	Name   string
	Config ExtractConfig
}

// CreateConfiguration saves a configuration. It upserts: a configuration
// with the same name in the project is updated.
func (c *Client) CreateConfiguration(ctx context.Context, req ConfigurationRequest) (*Configuration, error) {
	name := strings.TrimSpace(req.Name)
	if name == "" {
		return nil, &ValidationError{Operation: opCreateConfiguration, Field: "name", Reason: "required"}
	}
	params, err := req.Config.parameters(opCreateConfiguration)
	if err != nil {
		return nil, err
	}
	body := generated.ConfigurationCreate{Name: name, Parameters: params}
	return request[Configuration](ctx, c, opCreateConfiguration, pathID{}, func(ctx context.Context) (*http.Response, error) {
		return c.gen.CreateConfiguration(ctx, &generated.CreateConfigurationParams{OrganizationId: c.org(), ProjectId: c.project()}, body)
	})
}

// GetConfiguration returns a saved configuration.
func (c *Client) GetConfiguration(ctx context.Context, id string) (*Configuration, error) {
	return request[Configuration](ctx, c, opGetConfiguration, pathID{"config_id", id}, func(ctx context.Context) (*http.Response, error) {
		return c.gen.GetConfiguration(ctx, id, &generated.GetConfigurationParams{OrganizationId: c.org(), ProjectId: c.project()})
	})
}

// UpdateConfiguration changes a saved configuration: a non-empty Name
// renames it, a Config with a Schema replaces its settings. What is zero
// stays as it is.
func (c *Client) UpdateConfiguration(ctx context.Context, id string, req ConfigurationRequest) (*Configuration, error) {
	var body generated.ConfigurationUpdate
	body.Name = optString(strings.TrimSpace(req.Name))
	if !req.Config.Schema.IsZero() {
		p, err := req.Config.parameters(opUpdateConfiguration)
		if err != nil {
			return nil, err
		}
		body.Parameters = &p
	}
	return request[Configuration](ctx, c, opUpdateConfiguration, pathID{"config_id", id}, func(ctx context.Context) (*http.Response, error) {
		return c.gen.UpdateConfiguration(ctx, id, &generated.UpdateConfigurationParams{OrganizationId: c.org(), ProjectId: c.project()}, body)
	})
}

// DeleteConfiguration deletes a saved configuration.
func (c *Client) DeleteConfiguration(ctx context.Context, id string) error {
	_, err := request[none](ctx, c, opDeleteConfiguration, pathID{"config_id", id}, func(ctx context.Context) (*http.Response, error) {
		return c.gen.DeleteConfiguration(ctx, id, &generated.DeleteConfigurationParams{OrganizationId: c.org(), ProjectId: c.project()})
	})
	return err
}

// ConfigurationFilter selects saved extract_v2 configurations for
// Configurations and ListConfigurations. The zero value selects all of the
// client's project.
type ConfigurationFilter struct {
	// Name selects configurations with exactly this name.
	Name string
	// LatestOnly keeps only the newest version of each name.
	LatestOnly bool
	// PageSize is the number per request (server default when 0).
	PageSize int
	// PageToken is where ListConfigurations starts: a previous page's
	// NextPageToken. Configurations ignores it.
	PageToken string
}

// ListConfigurations returns one page of saved extract_v2 configurations,
// starting at f.PageToken. Configurations pages for you.
func (c *Client) ListConfigurations(ctx context.Context, f ConfigurationFilter) (*ListPage[*Configuration], error) {
	if f.PageSize < 0 {
		return nil, &ValidationError{Operation: opListConfigurations, Field: "page_size", Reason: "must be positive (0 for the server's default)"}
	}
	products := []generated.ProductType{generated.ProductTypeExtractV2}
	p := &generated.ListConfigurationsParams{OrganizationId: c.org(), ProjectId: c.project(),
		Name: optString(f.Name), PageToken: optString(f.PageToken), LatestOnly: optBool(f.LatestOnly), ProductType: &products}
	if f.PageSize > 0 {
		n := f.PageSize
		p.PageSize = &n
	}
	return listPage[*Configuration](ctx, c, opListConfigurations, func(ctx context.Context) (*http.Response, error) {
		return c.gen.ListConfigurations(ctx, p)
	})
}

// Configurations iterates over every saved extract_v2 configuration
// matching f, fetching pages as the loop needs them. An error (including a
// server that repeats a page token) is yielded and ends the iteration.
func (c *Client) Configurations(ctx context.Context, f ConfigurationFilter) iter.Seq2[*Configuration, error] {
	return paginate(opListConfigurations, func(token string) (*ListPage[*Configuration], error) {
		f.PageToken = token
		return c.ListConfigurations(ctx, f)
	})
}
