package wrapper

import (
	"fmt"
	"strings"

	"github.com/extract-go/llamaextract/generated"
)

// ExtractionTarget is the granularity of a result.
type ExtractionTarget = generated.ExtractionTarget

// Extraction targets.
const (
	PerDoc      = generated.ExtractionTargetPerDoc
	PerPage     = generated.ExtractionTargetPerPage
	PerTableRow = generated.ExtractionTargetPerTableRow
)

// Tier is the extraction tier.
type Tier = generated.ExtractTier

// Extraction tiers.
const (
	TierCostEffective = generated.ExtractTierCostEffective
	TierAgentic       = generated.ExtractTierAgentic
	TierAgenticPlus   = generated.ExtractTierAgenticPlus
	TierTurbo         = generated.ExtractTierTurbo
)

// ConfigSource is the configuration a job runs with: an inline ExtractConfig
// or a SavedConfig. Having one field for both makes "exactly one of
// configuration and configuration_id" hold by construction.
type ConfigSource interface {
	applyTo(body *generated.ExtractV2JobCreate) error
}

// SavedConfig refers to a saved configuration (cfg-...) by ID.
type SavedConfig string

func (s SavedConfig) applyTo(body *generated.ExtractV2JobCreate) error {
	id := strings.TrimSpace(string(s))
	if id == "" {
		return &ValidationError{Operation: "CreateExtractJob", Field: "configuration_id", Reason: "empty; pass the id of a saved configuration (cfg-...)"}
	}
	body.ConfigurationId = &id
	return nil
}

// ExtractConfig is an inline extraction configuration.
type ExtractConfig struct {
	// Schema is the data_schema (required): see SchemaFor, SchemaFromJSON.
	Schema Schema
	// Target is the result granularity (default PerDoc).
	Target ExtractionTarget
	// Tier is the extraction tier (default: the service's, cost_effective).
	Tier Tier
	// CiteSources attaches citations to every field; ConfidenceScores
	// attaches confidence scores.
	CiteSources, ConfidenceScores bool
	// SystemPrompt adds instructions for the model.
	SystemPrompt string
	// TargetPages selects 1-based pages, e.g. "1,3,5-7"; MaxPages caps them.
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
	cfg, err := c.generated("CreateExtractJob", "configuration")
	if err != nil {
		return err
	}
	body.Configuration = &cfg
	return nil
}

func (c ExtractConfig) generated(op, field string) (generated.ExtractConfiguration, error) {
	if c.Schema.IsZero() {
		return generated.ExtractConfiguration{}, &ValidationError{Operation: op, Field: field + ".data_schema", Reason: "required; build one with wrapper.SchemaFor[T]() or wrapper.SchemaFromJSON"}
	}
	if err := c.Schema.Check(); err != nil {
		return generated.ExtractConfiguration{}, &ValidationError{Operation: op, Field: field + "." + schemaField(err), Reason: schemaReason(err)}
	}
	if c.MaxPages < 0 {
		return generated.ExtractConfiguration{}, &ValidationError{Operation: op, Field: field + ".max_pages", Reason: "must be positive (0 means no limit)"}
	}
	if c.Target != "" && !c.Target.Valid() {
		return generated.ExtractConfiguration{}, &ValidationError{Operation: op, Field: field + ".extraction_target", Reason: fmt.Sprintf("%q is not per_doc, per_page or per_table_row", c.Target)}
	}
	if c.Tier != "" && !c.Tier.Valid() {
		return generated.ExtractConfiguration{}, &ValidationError{Operation: op, Field: field + ".tier", Reason: fmt.Sprintf("%q is not cost_effective, agentic, agentic_plus or turbo", c.Tier)}
	}
	g := generated.ExtractConfiguration{DataSchema: c.Schema.dataSchema()}
	if c.Target != "" {
		t := c.Target
		g.ExtractionTarget = &t
	}
	if c.Tier != "" {
		t := c.Tier
		g.Tier = &t
	}
	if c.CiteSources {
		g.CiteSources = &c.CiteSources
	}
	if c.ConfidenceScores {
		g.ConfidenceScores = &c.ConfidenceScores
	}
	if c.DisableCache {
		g.DisableCache = &c.DisableCache
	}
	if c.SpreadsheetMode {
		g.SpreadsheetMode = &c.SpreadsheetMode
	}
	if c.MaxPages > 0 {
		g.MaxPages = &c.MaxPages
	}
	if len(c.SheetNames) > 0 {
		g.SheetNames = &c.SheetNames
	}
	g.SystemPrompt, g.TargetPages = optString(c.SystemPrompt), optString(c.TargetPages)
	g.ParseTier, g.ParseConfigId, g.Version = optString(c.ParseTier), optString(c.ParseConfigID), optString(c.Version)
	return g, nil
}
