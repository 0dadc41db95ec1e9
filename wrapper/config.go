package wrapper

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"iter"
	"maps"
	"net/http"
	"reflect"
	"strings"
	"time"

	"github.com/extract-go/llamaextract"
	"github.com/extract-go/llamaextract/generated"
	"github.com/extract-go/llamaextract/internal/configcheck"
	"github.com/extract-go/llamaextract/internal/jsonrest"
)

// Target is the granularity of a result.
type Target string

// Extraction targets.
const (
	// PerDoc gives one object for the whole document (the default).
	PerDoc Target = "per_doc"
	// PerPage gives one object per page.
	PerPage Target = "per_page"
	// PerTableRow gives one object per table row or list entry.
	PerTableRow Target = "per_table_row"
)

func (t Target) known() bool { return generated.ExtractionTarget(t).Valid() }

// Tier is the extraction tier; it sets quality and price.
type Tier string

// Extraction tiers, with their credits per page.
const (
	TierCostEffective Tier = "cost_effective" // 5
	TierAgentic       Tier = "agentic"        // 15
	TierAgenticPlus   Tier = "agentic_plus"   // 50
	TierTurbo         Tier = "turbo"          // 35, no parse step
)

func (t Tier) known() bool { return generated.ExtractTier(t).Valid() }

// Config is the configuration a job runs with: an inline ExtractConfig or a
// SavedConfig (a saved one, by its ID). One argument for both makes "exactly one of
// configuration and configuration_id" hold by construction.
type Config interface {
	applyTo(body *createBody) error
}

// configValue turns a pointer to a configuration into the value (a nil
// pointer into a nil Config), so that &ExtractConfig{...} works like the
// value and a nil pointer is "no configuration", not a panic.
func configValue(c Config) Config {
	switch p := c.(type) {
	case *ExtractConfig:
		if p == nil {
			return nil
		}
		return *p
	case *SavedConfig:
		if p == nil {
			return nil
		}
		return *p
	}
	return c
}

// ExtractConfig is the configuration to extract with: the schema and the
// settings, inline in a job or stored as a SavedConfig. Its zero value means
// "the service's defaults"; Extract and ExtractRows fill in a zero Schema
// from their type argument.
//
// It is the wire type of the API's ExtractConfiguration: each field is the
// member its json tag names, so a member the API adds is one field here
// (see "When the API changes" in the README). Until then, Extra sends it.
type ExtractConfig struct {
	// Schema is the data_schema: see SchemaFor, SchemaFromJSON. Required
	// everywhere but Extract, ExtractRows and batch.ExtractAll.
	Schema Schema `json:"data_schema"`
	// Target is the result granularity (default PerDoc).
	Target Target `json:"extraction_target,omitempty"`
	// Tier is the extraction tier (default: the service's, cost_effective).
	Tier Tier `json:"tier,omitempty"`
	// CiteSources attaches citations to every field; ConfidenceScores
	// attaches confidence scores. Read them with Job.Metadata.
	CiteSources      bool `json:"cite_sources,omitempty"`
	ConfidenceScores bool `json:"confidence_scores,omitempty"`
	// SystemPrompt adds instructions for the model.
	SystemPrompt string `json:"system_prompt,omitempty"`
	// TargetPages selects 1-based pages, e.g. "1,3,5-7"; MaxPages caps them
	// (0: no cap).
	TargetPages string `json:"target_pages,omitempty"`
	MaxPages    int    `json:"max_pages,omitempty"`
	// ParseTier and ParseConfigID control the parse step.
	ParseTier     string `json:"parse_tier,omitempty"`
	ParseConfigID string `json:"parse_config_id,omitempty"`
	// Version pins the extraction pipeline: "latest" or a YYYY-MM-DD date.
	Version string `json:"version,omitempty"`
	// DisableCache neither reuses nor stores cached results.
	DisableCache bool `json:"disable_cache,omitempty"`
	// SpreadsheetMode reads cells directly (beta, agentic_plus); SheetNames
	// selects worksheets.
	SpreadsheetMode bool     `json:"spreadsheet_mode,omitempty"`
	SheetNames      []string `json:"sheet_names,omitempty"`

	// Extra holds members this package does not model yet, sent as they
	// are beside the fields above (for a member the API has added since:
	// Extra: map[string]any{"new_member": "value"}). A member a field
	// models is refused before anything is sent. Decoding leaves Extra
	// empty; members the server sent that no field models are sent again
	// with the configuration, under Extra's.
	Extra map[string]any `json:"-"`

	// sent is the JSON of the job (or saved configuration) c was decoded
	// from, c's own JSON being its member "configuration"; nil for one
	// built here.
	sent *json.RawMessage
}

// extractConfigNames are the members ExtractConfig models;
// extractConfigFields maps each to its field.
var (
	extractConfigNames  = jsonrest.MemberNames(reflect.TypeFor[ExtractConfig]())
	extractConfigFields = jsonrest.FieldNames(reflect.TypeFor[ExtractConfig]())
)

func (c ExtractConfig) applyTo(body *createBody) error {
	if err := c.check(opCreateJob, "configuration"); err != nil {
		return err
	}
	body.Configuration = &c
	return nil
}

// check checks c before it is sent; op and field name the place in errors.
func (c ExtractConfig) check(op, field string) error {
	if c.Schema.IsZero() {
		return &ValidationError{Operation: op, Field: field + ".data_schema", Reason: "required; build one with wrapper.SchemaFor[T]() or wrapper.SchemaFromJSON"}
	}
	if err := c.Schema.check(); err != nil {
		return schemaError(op, field+".", err)
	}
	if c.MaxPages < 0 {
		return &ValidationError{Operation: op, Field: field + ".max_pages", Reason: "must be positive (0 means no limit)"}
	}
	if c.Target != "" && !c.Target.known() {
		return &ValidationError{Operation: op, Field: field + ".extraction_target", Reason: fmt.Sprintf("%q is not %s", c.Target, configcheck.Listed(generated.ExtractionTargetValues()))}
	}
	if c.Tier != "" && !c.Tier.known() {
		return &ValidationError{Operation: op, Field: field + ".tier", Reason: fmt.Sprintf("%q is not %s", c.Tier, configcheck.Listed(generated.ExtractTierValues()))}
	}
	for _, in := range []struct {
		name, value string
		check       func(string) error
	}{
		{"parse_tier", c.ParseTier, configcheck.ParseTier},
		{"version", c.Version, configcheck.Version},
		{"target_pages", c.TargetPages, checkTargetPages},
	} {
		if in.value == "" {
			continue
		}
		if err := in.check(in.value); err != nil {
			return &ValidationError{Operation: op, Field: field + "." + in.name, Reason: err.Error()}
		}
	}
	return extraError(op, field+".", c.Extra, extractConfigFields, "ExtractConfig")
}

// checkTargetPages is configcheck.TargetPages with the way out of a blank
// ExtractConfig.TargetPages.
func checkTargetPages(pages string) error {
	if strings.TrimSpace(pages) == "" {
		return fmt.Errorf("%q is blank; leave TargetPages empty for every page", pages)
	}
	_, err := configcheck.TargetPages(pages)
	return err
}

// MarshalJSON writes c as the API's configuration object (data_schema,
// extraction_target, ...), leaving out what is zero, with the members no
// field models that c was decoded with and Extra's beside its own, keys
// sorted.
func (c ExtractConfig) MarshalJSON() ([]byte, error) {
	type fields ExtractConfig // without this method
	b, err := json.Marshal(fields(c))
	if err != nil {
		return nil, err
	}
	extra := c.Extra
	if c.sent != nil {
		extra = jsonrest.Unmodelled(jsonrest.Member(*c.sent, "configuration"), extractConfigNames, c.Extra)
	}
	if len(extra) == 0 {
		return b, nil
	}
	return jsonrest.AddExtra(b, extra, extractConfigFields, "ExtractConfig")
}

func optBool(b bool) *bool {
	if !b {
		return nil
	}
	return &b
}

// productExtract is the product type of the configurations this package
// runs.
const productExtract = "extract_v2"

// SavedConfig is a configuration stored in the project under a name, with
// an ID (cfg-...): CreateConfiguration saves one, GenerateSchema drafts one
// (without an ID). Pass it (or SavedConfig{ID: "cfg-..."}) where a Config
// is wanted to run a job with it by ID. It encodes to and decodes from the
// API's JSON, keeping every member the server sent.
type SavedConfig struct {
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

	raw json.RawMessage
}

// savedConfigWire is the API's ConfigurationResponse (and, without id and
// the timestamps, the body of CreateConfiguration and UpdateConfiguration).
type savedConfigWire struct {
	ID          string             `json:"id,omitempty"`
	Name        string             `json:"name,omitempty"`
	Version     string             `json:"version,omitempty"`
	ProductType string             `json:"product_type,omitempty"`
	Parameters  json.RawMessage    `json:"parameters,omitempty"`
	CreatedAt   *llamaextract.Time `json:"created_at,omitempty"`
	UpdatedAt   *llamaextract.Time `json:"updated_at,omitempty"`
}

var savedConfigNames = jsonrest.MemberNames(reflect.TypeFor[savedConfigWire]())

func (s SavedConfig) applyTo(body *createBody) error {
	id := strings.TrimSpace(s.ID)
	if id == "" {
		return &ValidationError{Operation: opCreateJob, Field: "configuration_id", Reason: "empty; pass a SavedConfig with the ID of a saved configuration (cfg-...)"}
	}
	body.ConfigurationID = id
	return nil
}

// UnmarshalJSON reads a configuration in the API's JSON, keeping a copy.
func (s *SavedConfig) UnmarshalJSON(b []byte) error {
	var w savedConfigWire
	if err := json.Unmarshal(b, &w); err != nil {
		return err
	}
	cfg, err := parametersConfig(w.Parameters)
	if err != nil {
		return err
	}
	*s = SavedConfig{ID: w.ID, Name: w.Name, Version: w.Version, ProductType: w.ProductType, Config: cfg, raw: bytes.Clone(b)}
	if w.CreatedAt != nil {
		s.CreatedAt = w.CreatedAt.Time
	}
	if w.UpdatedAt != nil {
		s.UpdatedAt = w.UpdatedAt.Time
	}
	return nil
}

// MarshalJSON writes the configuration in the API's JSON: the fields above,
// each as the server sent it while unchanged (parameters are Config's once
// it changed, or when read from none), and every other member of the JSON
// it was read from.
func (s SavedConfig) MarshalJSON() ([]byte, error) {
	return keepSent(s, s.raw, SavedConfig.fieldsJSON, savedConfigNames, savedConfigNested)
}

// savedConfigNested are the members extract_v2 parameters model:
// ExtractConfig's and product_type.
var savedConfigNested = func() map[string]map[string]bool {
	names := maps.Clone(extractConfigNames)
	names["product_type"] = true
	return map[string]map[string]bool{"parameters": names}
}()

func (s SavedConfig) fieldsJSON() ([]byte, error) {
	w := savedConfigWire{ID: s.ID, Name: s.Name, Version: s.Version, ProductType: s.ProductType}
	if !s.Config.Schema.IsZero() {
		p, err := s.Config.parameters()
		if err != nil {
			return nil, err
		}
		w.Parameters = p
	}
	if !s.CreatedAt.IsZero() {
		t := llamaextract.NewTime(s.CreatedAt)
		w.CreatedAt = &t
	}
	if !s.UpdatedAt.IsZero() {
		t := llamaextract.NewTime(s.UpdatedAt)
		w.UpdatedAt = &t
	}
	return json.Marshal(w)
}

func (s *SavedConfig) answerID() string { return s.ID }

func (s *SavedConfig) validate() error {
	switch {
	case s == nil: // a list item the server sent as null
		return errors.New("null instead of a configuration")
	case s.ID == "":
		return errors.New("configuration without an id")
	case s.Name == "":
		return errors.New("configuration without a name")
	}
	return nil
}

// Generated returns the configuration as the generated client's type: the
// escape hatch to other products' parameters and to members this package
// does not model. Its type may change with openapi.yaml.
func (s *SavedConfig) Generated() (generated.ConfigurationResponse, error) {
	var g generated.ConfigurationResponse
	b, err := s.MarshalJSON()
	if err == nil {
		err = json.Unmarshal(b, &g)
	}
	if err != nil {
		return g, fmt.Errorf("llamaextract: configuration %s as the generated type: %w", s.ID, err)
	}
	return g, nil
}

// parametersConfig reads extract_v2 parameters; other products give a zero
// ExtractConfig.
func parametersConfig(raw json.RawMessage) (ExtractConfig, error) {
	var cfg ExtractConfig
	if present(raw) == nil {
		return cfg, nil
	}
	var head struct {
		ProductType string `json:"product_type"`
	}
	if err := json.Unmarshal(raw, &head); err != nil || head.ProductType != productExtract {
		return cfg, err
	}
	// ExtractV2Parameters is ExtractConfiguration plus product_type.
	if err := json.Unmarshal(raw, &cfg); err != nil {
		return cfg, err
	}
	// Sent again inline, the configuration has no product_type.
	var m map[string]json.RawMessage
	if json.Unmarshal(raw, &m) == nil {
		delete(m, "product_type")
		if b, err := json.Marshal(map[string]any{"configuration": m}); err == nil {
			cfg.sent = (*json.RawMessage)(&b)
		}
	}
	return cfg, nil
}

// parameters is c as extract_v2 parameters: its JSON plus product_type.
func (c ExtractConfig) parameters() (json.RawMessage, error) {
	if c.Extra["product_type"] != nil {
		return nil, errors.New("ExtractConfig.Extra: product_type is set by the package")
	}
	extra := map[string]any{"product_type": productExtract}
	for k, v := range c.Extra {
		extra[k] = v
	}
	c.Extra = extra
	return c.MarshalJSON()
}

// saveBody checks s and builds the body of CreateConfiguration (create) or
// UpdateConfiguration.
func (s SavedConfig) saveBody(op string, create bool) ([]byte, error) {
	w := savedConfigWire{Name: strings.TrimSpace(s.Name)}
	if create && w.Name == "" {
		return nil, &ValidationError{Operation: op, Field: "name", Reason: "required"}
	}
	if create || !s.Config.Schema.IsZero() {
		if err := s.Config.check(op, "parameters"); err != nil {
			return nil, err
		}
		p, err := s.Config.parameters()
		if err != nil {
			return nil, &ValidationError{Operation: op, Field: "parameters", Reason: err.Error()}
		}
		w.Parameters = p
	}
	return json.Marshal(w)
}

// CreateConfiguration saves s.Config under s.Name (its ID and the
// server's fields are not read). It upserts: a configuration with the same
// name in the project is updated.
func (c *Client) CreateConfiguration(ctx context.Context, s SavedConfig) (*SavedConfig, error) {
	body, err := s.saveBody(opCreateConfiguration, true)
	if err != nil {
		return nil, err
	}
	return request[SavedConfig](ctx, c, opCreateConfiguration, pathID{}, func(ctx context.Context) (*http.Response, error) {
		return c.gen.CreateConfigurationWithBody(ctx, &generated.CreateConfigurationParams{OrganizationId: c.org(), ProjectId: c.project()}, jsonContent, bytes.NewReader(body))
	})
}

// GetConfiguration returns a saved configuration.
func (c *Client) GetConfiguration(ctx context.Context, id string) (*SavedConfig, error) {
	return request[SavedConfig](ctx, c, opGetConfiguration, pathID{"config_id", id}, func(ctx context.Context) (*http.Response, error) {
		return c.gen.GetConfiguration(ctx, id, &generated.GetConfigurationParams{OrganizationId: c.org(), ProjectId: c.project()})
	})
}

// UpdateConfiguration changes the saved configuration s.ID: a non-empty
// Name renames it, a Config with a Schema replaces its settings. What is
// zero stays as it is.
func (c *Client) UpdateConfiguration(ctx context.Context, s SavedConfig) (*SavedConfig, error) {
	body, err := s.saveBody(opUpdateConfiguration, false)
	if err != nil {
		return nil, err
	}
	id := s.ID
	return request[SavedConfig](ctx, c, opUpdateConfiguration, pathID{"config_id", id}, func(ctx context.Context) (*http.Response, error) {
		return c.gen.UpdateConfigurationWithBody(ctx, id, &generated.UpdateConfigurationParams{OrganizationId: c.org(), ProjectId: c.project()}, jsonContent, bytes.NewReader(body))
	})
}

// DeleteConfiguration deletes a saved configuration.
func (c *Client) DeleteConfiguration(ctx context.Context, id string) error {
	_, err := request[none](ctx, c, opDeleteConfiguration, pathID{"config_id", id}, func(ctx context.Context) (*http.Response, error) {
		return c.gen.DeleteConfiguration(ctx, id, &generated.DeleteConfigurationParams{OrganizationId: c.org(), ProjectId: c.project()})
	})
	return err
}

// SavedConfigFilter selects saved extract_v2 configurations for
// Configurations and ListConfigurations. The zero value selects all of the
// client's project.
type SavedConfigFilter struct {
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
func (c *Client) ListConfigurations(ctx context.Context, f SavedConfigFilter) (*ListPage[*SavedConfig], error) {
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
	return listPage[*SavedConfig](ctx, c, opListConfigurations, func(ctx context.Context) (*http.Response, error) {
		return c.gen.ListConfigurations(ctx, p)
	})
}

// Configurations iterates over every saved extract_v2 configuration
// matching f, fetching pages as the loop needs them. An error (including a
// server that repeats a page token) is yielded and ends the iteration.
func (c *Client) Configurations(ctx context.Context, f SavedConfigFilter) iter.Seq2[*SavedConfig, error] {
	return paginate(opListConfigurations, func(token string) (*ListPage[*SavedConfig], error) {
		f.PageToken = token
		return c.ListConfigurations(ctx, f)
	})
}

// jsonContent is the content type of the bodies the package encodes itself.
const jsonContent = "application/json"
