package wrapper

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/extract-go/llamaextract/generated"
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

func (t Target) known() bool { return t == PerDoc || t == PerPage || t == PerTableRow }

// Tier is the extraction tier; it sets quality and price.
type Tier string

// Extraction tiers, with their credits per page.
const (
	TierCostEffective Tier = "cost_effective" // 5
	TierAgentic       Tier = "agentic"        // 15
	TierAgenticPlus   Tier = "agentic_plus"   // 50
	TierTurbo         Tier = "turbo"          // 35, no parse step
)

func (t Tier) known() bool {
	return t == TierCostEffective || t == TierAgentic || t == TierAgenticPlus || t == TierTurbo
}

// Config is the configuration a job runs with: an inline ExtractConfig or a
// SavedConfig. One argument for both makes "exactly one of configuration and
// configuration_id" hold by construction.
type Config interface {
	applyTo(body *generated.ExtractV2JobCreate) error
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

// SavedConfig refers to a saved configuration (cfg-...) by ID; see
// CreateConfiguration.
type SavedConfig string

func (s SavedConfig) applyTo(body *generated.ExtractV2JobCreate) error {
	id := strings.TrimSpace(string(s))
	if id == "" {
		return &ValidationError{Operation: opCreateJob, Field: "configuration_id", Reason: "empty; pass the id of a saved configuration (cfg-...)"}
	}
	body.ConfigurationId = &id
	return nil
}

// ExtractConfig is an inline extraction configuration. Its zero value means
// "the service's defaults"; Extract and ExtractRows fill in a zero Schema
// from their type argument.
type ExtractConfig struct {
	// Schema is the data_schema: see SchemaFor, SchemaFromJSON. Required
	// everywhere but Extract, ExtractRows and batch.ExtractAll.
	Schema Schema
	// Target is the result granularity (default PerDoc).
	Target Target
	// Tier is the extraction tier (default: the service's, cost_effective).
	Tier Tier
	// CiteSources attaches citations to every field; ConfidenceScores
	// attaches confidence scores. Read them with Job.Metadata.
	CiteSources, ConfidenceScores bool
	// SystemPrompt adds instructions for the model.
	SystemPrompt string
	// TargetPages selects 1-based pages, e.g. "1,3,5-7"; MaxPages caps them
	// (0: no cap).
	TargetPages string
	MaxPages    int
	// ParseTier and ParseConfigID control the parse step.
	ParseTier, ParseConfigID string
	// Version pins the extraction pipeline: "latest" or a YYYY-MM-DD date.
	Version string
	// DisableCache neither reuses nor stores cached results.
	DisableCache bool
	// SpreadsheetMode reads cells directly (beta, agentic_plus); SheetNames
	// selects worksheets.
	SpreadsheetMode bool
	SheetNames      []string
}

func (c ExtractConfig) applyTo(body *generated.ExtractV2JobCreate) error {
	cfg, err := c.wire(opCreateJob, "configuration")
	if err != nil {
		return err
	}
	body.Configuration = &cfg
	return nil
}

// wire checks c and converts it to the API's type; op and field name the
// place in errors.
func (c ExtractConfig) wire(op, field string) (generated.ExtractConfiguration, error) {
	if c.Schema.IsZero() {
		return generated.ExtractConfiguration{}, &ValidationError{Operation: op, Field: field + ".data_schema", Reason: "required; build one with wrapper.SchemaFor[T]() or wrapper.SchemaFromJSON"}
	}
	if err := c.Schema.check(); err != nil {
		return generated.ExtractConfiguration{}, &ValidationError{Operation: op, Field: field + "." + schemaField(err), Reason: schemaReason(err)}
	}
	if c.MaxPages < 0 {
		return generated.ExtractConfiguration{}, &ValidationError{Operation: op, Field: field + ".max_pages", Reason: "must be positive (0 means no limit)"}
	}
	if c.Target != "" && !c.Target.known() {
		return generated.ExtractConfiguration{}, &ValidationError{Operation: op, Field: field + ".extraction_target", Reason: fmt.Sprintf("%q is not per_doc, per_page or per_table_row", c.Target)}
	}
	if c.Tier != "" && !c.Tier.known() {
		return generated.ExtractConfiguration{}, &ValidationError{Operation: op, Field: field + ".tier", Reason: fmt.Sprintf("%q is not cost_effective, agentic, agentic_plus or turbo", c.Tier)}
	}
	if err := c.checkInputs(op, field); err != nil {
		return generated.ExtractConfiguration{}, err
	}
	return c.toWire(), nil
}

// toWire converts c as it is, checking nothing.
func (c ExtractConfig) toWire() generated.ExtractConfiguration {
	g := generated.ExtractConfiguration{DataSchema: c.Schema.dataSchema()}
	if c.Target != "" {
		t := generated.ExtractionTarget(c.Target)
		g.ExtractionTarget = &t
	}
	if c.Tier != "" {
		t := generated.ExtractTier(c.Tier)
		g.Tier = &t
	}
	g.CiteSources, g.ConfidenceScores = optBool(c.CiteSources), optBool(c.ConfidenceScores)
	g.DisableCache, g.SpreadsheetMode = optBool(c.DisableCache), optBool(c.SpreadsheetMode)
	if c.MaxPages > 0 {
		n := c.MaxPages
		g.MaxPages = &n
	}
	if len(c.SheetNames) > 0 {
		names := append([]string(nil), c.SheetNames...)
		g.SheetNames = &names
	}
	g.SystemPrompt, g.TargetPages = optString(c.SystemPrompt), optString(c.TargetPages)
	g.ParseTier, g.ParseConfigId, g.Version = optString(c.ParseTier), optString(c.ParseConfigID), optString(c.Version)
	return g
}

// MarshalJSON writes c as the API's configuration object (data_schema,
// extraction_target, ...), leaving out what is zero.
func (c ExtractConfig) MarshalJSON() ([]byte, error) { return json.Marshal(c.toWire()) }

// UnmarshalJSON reads the API's configuration object.
func (c *ExtractConfig) UnmarshalJSON(b []byte) error {
	var d configDecode
	if err := json.Unmarshal(b, &d); err != nil {
		return err
	}
	*c = ExtractConfig(d)
	return nil
}

// configDecode is ExtractConfig with the API's names for its fields: the
// same fields of the same types in the same order, so that one converts to
// the other and a configuration the server sends is decoded straight into
// the ExtractConfig a Job points to, with no wire value between them (a
// listed job used to cost a second configuration beside its own). Null and
// absent fields both leave the zero value, which is what ExtractConfig
// means by unset. extract_version, the older name of version, is not read.
type configDecode struct {
	Schema           Schema   `json:"data_schema"`
	Target           Target   `json:"extraction_target"`
	Tier             Tier     `json:"tier"`
	CiteSources      bool     `json:"cite_sources"`
	ConfidenceScores bool     `json:"confidence_scores"`
	SystemPrompt     string   `json:"system_prompt"`
	TargetPages      string   `json:"target_pages"`
	MaxPages         int      `json:"max_pages"`
	ParseTier        string   `json:"parse_tier"`
	ParseConfigID    string   `json:"parse_config_id"`
	Version          string   `json:"version"`
	DisableCache     bool     `json:"disable_cache"`
	SpreadsheetMode  bool     `json:"spreadsheet_mode"`
	SheetNames       []string `json:"sheet_names"`
}

// The conversion compiles only while configDecode and ExtractConfig have
// the same fields.
var _ = (*ExtractConfig)((*configDecode)(nil))

// readExtractConfig reads a configuration the server sent. Nothing is
// checked: the server's word is taken as is (a schema is checked when it
// is sent again).
func readExtractConfig(raw []byte) (ExtractConfig, error) {
	var d configDecode
	if err := json.Unmarshal(raw, &d); err != nil {
		return ExtractConfig{}, err
	}
	return ExtractConfig(d), nil
}

func optBool(b bool) *bool {
	if !b {
		return nil
	}
	return &b
}
