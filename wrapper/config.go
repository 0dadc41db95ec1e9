package wrapper

import (
	"encoding/json"
	"fmt"
	"reflect"
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
	// everywhere but Extract, ExtractRows and ExtractAll.
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
	// empty: a job keeps every member the server sent in its own JSON.
	Extra map[string]any `json:"-"`
}

// extractConfigNames are the members ExtractConfig models.
var extractConfigNames = jsonNames(reflect.TypeFor[ExtractConfig]())

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
		return &ValidationError{Operation: op, Field: field + "." + schemaField(err), Reason: schemaReason(err)}
	}
	if c.MaxPages < 0 {
		return &ValidationError{Operation: op, Field: field + ".max_pages", Reason: "must be positive (0 means no limit)"}
	}
	if c.Target != "" && !c.Target.known() {
		return &ValidationError{Operation: op, Field: field + ".extraction_target", Reason: fmt.Sprintf("%q is not per_doc, per_page or per_table_row", c.Target)}
	}
	if c.Tier != "" && !c.Tier.known() {
		return &ValidationError{Operation: op, Field: field + ".tier", Reason: fmt.Sprintf("%q is not cost_effective, agentic, agentic_plus or turbo", c.Tier)}
	}
	if err := checkExtra(c.Extra, extractConfigNames, "Extra"); err != nil {
		return &ValidationError{Operation: op, Field: field, Reason: err.Error()}
	}
	return nil
}

// MarshalJSON writes c as the API's configuration object (data_schema,
// extraction_target, ...), leaving out what is zero, with Extra's members
// beside its own, keys sorted.
func (c ExtractConfig) MarshalJSON() ([]byte, error) {
	type fields ExtractConfig // without this method
	b, err := json.Marshal(fields(c))
	if err != nil {
		return nil, err
	}
	if len(c.Extra) == 0 {
		return b, nil
	}
	return addExtra(b, c.Extra, extractConfigNames, "ExtractConfig.Extra")
}

func optBool(b bool) *bool {
	if !b {
		return nil
	}
	return &b
}
