package llamaextract_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/extract-go/llamaextract"
	"github.com/getkin/kin-openapi/openapi3"
)

// The tables below restate ../shared/reference/api-surface.md sections 2-5 and
// the seed document: every field, query parameter and enum value they name for
// the endpoints in scope. The test fails when the spec lacks one, so dropping a
// field from openapi.yaml is caught; it is the completeness check the README
// describes.

var wantOperations = map[string]string{
	"POST /api/v2/extract":                           "CreateExtractJob",
	"GET /api/v2/extract":                            "ListExtractJobs",
	"GET /api/v2/extract/{job_id}":                   "GetExtractJob",
	"DELETE /api/v2/extract/{job_id}":                "DeleteExtractJob",
	"POST /api/v2/extract/{job_id}/cancel":           "CancelExtractJob",
	"POST /api/v2/extract/schema/validation":         "ValidateExtractSchema",
	"POST /api/v2/extract/schema/generate":           "GenerateExtractSchema",
	"POST /api/v1/beta/files":                        "UploadFile",
	"GET /api/v1/beta/files":                         "ListFiles",
	"GET /api/v1/beta/files/{file_id}":               "GetFile",
	"DELETE /api/v1/beta/files/{file_id}":            "DeleteFile",
	"GET /api/v1/beta/files/{file_id}/content":       "GetFileContent",
	"POST /api/v1/beta/files/query":                  "QueryFiles",
	"POST /api/v1/beta/configurations":               "CreateConfiguration",
	"GET /api/v1/beta/configurations":                "ListConfigurations",
	"GET /api/v1/beta/configurations/{config_id}":    "GetConfiguration",
	"PUT /api/v1/beta/configurations/{config_id}":    "UpdateConfiguration",
	"DELETE /api/v1/beta/configurations/{config_id}": "DeleteConfiguration",
}

var orgProject = []string{"organization_id", "project_id"}

var wantQuery = map[string][]string{
	"CreateExtractJob": orgProject,
	"ListExtractJobs": append([]string{"configuration_id", "created_at_on_or_after", "created_at_on_or_before",
		"document_input_type", "document_input_value", "expand", "file_input", "job_ids", "page_size", "page_token", "status"}, orgProject...),
	"GetExtractJob":         append([]string{"expand"}, orgProject...),
	"DeleteExtractJob":      orgProject,
	"CancelExtractJob":      orgProject,
	"ValidateExtractSchema": nil,
	"GenerateExtractSchema": orgProject,
	"UploadFile":            orgProject,
	"ListFiles": append([]string{"expand", "external_file_id", "file_ids", "file_name", "order_by", "page_size",
		"page_token"}, orgProject...),
	"GetFile":             append([]string{"expand"}, orgProject...),
	"DeleteFile":          orgProject,
	"GetFileContent":      append([]string{"expires_at_seconds"}, orgProject...),
	"QueryFiles":          orgProject,
	"CreateConfiguration": orgProject,
	"ListConfigurations":  append([]string{"latest_only", "name", "product_type", "page_size", "page_token"}, orgProject...),
	"GetConfiguration":    orgProject,
	"UpdateConfiguration": orgProject,
	"DeleteConfiguration": orgProject,
}

// Array query parameters must repeat their key (style form, explode true).
var wantArrayQuery = []string{"ListExtractJobs.expand", "ListExtractJobs.job_ids", "GetExtractJob.expand",
	"ListFiles.expand", "ListFiles.file_ids", "GetFile.expand", "ListConfigurations.product_type"}

var extractConfigFields = []string{"data_schema", "cite_sources", "confidence_scores", "disable_cache",
	"extraction_target", "max_pages", "parse_config_id", "parse_tier", "sheet_names", "spreadsheet_mode",
	"system_prompt", "target_pages", "tier", "version", "extract_version"}

var wantFields = map[string][]string{
	"ExtractV2Job": {"id", "created_at", "updated_at", "file_input", "project_id", "status", "configuration",
		"configuration_id", "error_message", "extract_metadata", "extract_result", "metadata", "usage"},
	"ExtractConfiguration": extractConfigFields,
	"ExtractV2Parameters":  append([]string{"product_type"}, extractConfigFields...),
	"ExtractV2JobCreate": {"file_input", "configuration", "configuration_id", "webhook_configurations",
		"webhook_configuration_ids"},
	"WebhookConfiguration": {"webhook_url", "webhook_events", "webhook_headers", "webhook_output_format",
		"webhook_signing_secret"},
	"ExtractJobMetadata":              {"field_metadata", "parse_job_id", "parse_tier"},
	"ExtractedFieldMetadata":          {"document_metadata", "page_metadata", "row_metadata"},
	"JobMetadata":                     {"usage"},
	"ExtractJobUsage":                 {"num_pages_extracted", "num_document_tokens", "num_output_tokens", "num_pages_billed"},
	"JobUsage":                        {"credits", "extract_credits", "parse_credits"},
	"ExtractV2JobQueryResponse":       {"items", "next_page_token", "total_size"},
	"ExtractV2SchemaValidateRequest":  {"data_schema"},
	"ExtractV2SchemaValidateResponse": {"data_schema"},
	"ExtractV2SchemaGenerateRequest":  {"data_schema", "file_id", "name", "prompt"},
	"ConfigurationCreate":             {"name", "parameters"},
	"ConfigurationUpdate":             {"name", "parameters"},
	"ConfigurationResponse":           {"id", "name", "parameters", "product_type", "version", "created_at", "updated_at"},
	"ConfigurationQueryResponse":      {"items", "next_page_token", "total_size"},
	"ClassifyV2Parameters":            {"product_type", "rules", "mode", "parsing_configuration"},
	"ClassifyRule":                    {"description", "type"},
	"ClassifyParsingConfiguration":    {"lang", "max_pages", "target_pages"},
	"SplitV1Parameters":               {"product_type", "categories", "splitting_strategy"},
	"SplitCategory":                   {"name", "description"},
	"SplittingStrategy":               {"allow_uncategorized", "custom_instructions", "min_pages_per_split"},
	"SpreadsheetV1Parameters": {"product_type", "extraction_range", "flatten_hierarchical_tables",
		"generate_additional_metadata", "include_hidden_cells", "sheet_names", "specialization",
		"table_merge_sensitivity", "tier", "use_experimental_processing"},
	"UntypedParameters": {"product_type"},
	"ParseV2Parameters": {"product_type", "tier", "version", "agentic_options", "client_name", "crop_box",
		"disable_cache", "fast_options", "input_options", "output_options", "page_ranges", "processing_control",
		"processing_options", "webhook_configuration_ids", "webhook_configurations"},
	"AgenticOptions":           {"custom_prompt"},
	"CropBox":                  {"bottom", "left", "right", "top"},
	"InputOptions":             {"html", "image", "pdf", "presentation", "spreadsheet"},
	"InputOptionsHTML":         {"make_all_elements_visible", "remove_fixed_elements", "remove_navigation_elements"},
	"InputOptionsImage":        {"camera_photo_correction"},
	"InputOptionsPresentation": {"out_of_bounds_content", "skip_embedded_data"},
	"InputOptionsSpreadsheet": {"detect_sub_tables_in_sheets", "force_formula_computation_in_sheets",
		"include_hidden_sheets"},
	"OutputOptions": {"additional_outputs", "extract_printed_page_number", "granular_bboxes", "images_to_save",
		"markdown", "save_output_pdf", "spatial_text", "tables_as_spreadsheet"},
	"OutputOptionsMarkdown": {"annotate_line_numbers", "annotate_links", "annotate_revisions", "inline_images", "tables"},
	"OutputOptionsMarkdownTables": {"compact_markdown_tables", "markdown_table_multiline_separator",
		"merge_continued_tables", "output_tables_as_markdown"},
	"OutputOptionsSpatialText": {"do_not_unroll_columns", "preserve_layout_alignment_across_pages",
		"preserve_very_small_text"},
	"OutputOptionsTablesAsSpreadsheet": {"enable", "guess_sheet_name"},
	"PageRanges":                       {"max_pages", "target_pages"},
	"ProcessingControl":                {"job_failure_conditions", "timeouts"},
	"JobFailureConditions": {"allowed_page_failure_ratio", "fail_on_buggy_font", "fail_on_image_extraction_error",
		"fail_on_image_ocr_error", "fail_on_markdown_reconstruction_error"},
	"ParseTimeouts": {"base_in_seconds", "extra_time_per_page_in_seconds"},
	"ProcessingOptions": {"aggressive_table_extraction", "auto_mode_configuration", "confidence_score_effort",
		"cost_optimizer", "disable_heuristics", "forms", "ignore", "ocr_parameters", "specialized_chart_parsing"},
	"CostOptimizer": {"enable"},
	"IgnoreOptions": {"ignore_diagonal_text", "ignore_hidden_text", "ignore_text_in_image"},
	"OcrParameters": {"languages"},
	"AutoModeRule": {"parsing_conf", "filename_match_glob", "filename_match_glob_list", "filename_regexp",
		"filename_regexp_mode", "full_page_image_in_page", "full_page_image_in_page_threshold", "image_in_page",
		"layout_element_in_page", "layout_element_in_page_confidence_threshold",
		"page_contains_at_least_n_charts", "page_contains_at_least_n_images", "page_contains_at_least_n_layout_elements",
		"page_contains_at_least_n_lines", "page_contains_at_least_n_links", "page_contains_at_least_n_numbers",
		"page_contains_at_least_n_percent_numbers", "page_contains_at_least_n_tables", "page_contains_at_least_n_words",
		"page_contains_at_most_n_charts", "page_contains_at_most_n_images", "page_contains_at_most_n_layout_elements",
		"page_contains_at_most_n_lines", "page_contains_at_most_n_links", "page_contains_at_most_n_numbers",
		"page_contains_at_most_n_percent_numbers", "page_contains_at_most_n_tables", "page_contains_at_most_n_words",
		"page_longer_than_n_chars", "page_shorter_than_n_chars", "page_md_error", "regexp_in_page",
		"regexp_in_page_mode", "table_in_page", "text_in_page", "trigger_mode"},
	"AutoModeParsingConf": {"adaptive_long_table", "aggressive_table_extraction", "crop_box", "custom_prompt",
		"extract_layout", "high_res_ocr", "ignore", "language", "outlined_table_extraction", "presentation",
		"spatial_text", "specialized_chart_parsing", "tier", "version"},
	"ParseWebhookConfiguration": {"webhook_events", "webhook_headers", "webhook_output_format",
		"webhook_signing_secret", "webhook_url"},
	"FileUpload": {"file", "purpose", "external_file_id"},
	"File": {"id", "name", "project_id", "download_url", "expires_at", "external_file_id", "file_type",
		"last_modified_at", "purpose"},
	"PresignedURL":      {"url", "expires_at", "form_fields"},
	"FileQueryResponse": {"items", "next_page_token", "total_size"},
	"FileQueryRequest":  {"filter", "order_by", "page_size", "page_token"},
	"FileFilter": {"data_source_id", "external_file_id", "file_ids", "file_name", "only_manually_uploaded",
		"project_id"},
}

var wantEnums = map[string][]string{
	"JobStatusFilter":  {"PENDING", "THROTTLED", "RUNNING", "COMPLETED", "FAILED", "CANCELLED"},
	"ExtractionTarget": {"per_doc", "per_page", "per_table_row"},
	"ExtractTier":      {"cost_effective", "agentic", "agentic_plus", "turbo"},
	"ParseTier":        {"fast", "cost_effective", "agentic", "agentic_plus"},
	"ProductType":      {"classify_v2", "extract_v2", "parse_v2", "split_v1", "spreadsheet_v1", "unknown"},
	"ChartParsingMode": {"efficient", "agentic", "agentic_plus"},
	"WebhookEvent": {"extract.pending", "extract.success", "extract.error", "extract.partial_success",
		"extract.cancelled", "parse.pending", "parse.running", "parse.success", "parse.error",
		"parse.partial_success", "parse.cancelled", "classify.pending", "classify.running", "classify.success",
		"classify.error", "classify.partial_success", "classify.cancelled", "batch.pending", "batch.running",
		"batch.success", "batch.error", "batch.cancelled", "sheets.pending", "sheets.success", "sheets.error",
		"sheets.partial_success", "sheets.cancelled", "split.pending", "split.processing", "split.success",
		"split.error", "split.cancelled", "unmapped_event"},
	"ParsingLanguage": strings.Fields(`abq ady af ang ar as ava az be bg bgc bh bho bn bs ch_sim ch_tra che cs cy
		da dar de en es et fa fr ga gom hi hr hu id inh is it ja kbd kn ko ku la lbe lez lt lv mah mai mi mn mni mr
		ms mt ne new nl no oc pi pl pt ro rs_cyrillic rs_latin ru sa sck sk sl sq sv sw ta tab te th tjk tl tr ug uk
		ur uz vi`),
	"ClassifyV2Parameters.mode":                       {"FAST"},
	"SplittingStrategy.allow_uncategorized":           {"include", "forbid", "omit"},
	"OutputOptions.images_to_save[]":                  {"screenshot", "embedded", "layout"},
	"OutputOptions.granular_bboxes[]":                 {"cell", "line", "word"},
	"ProcessingOptions.forms":                         {"default", "enrich"},
	"ProcessingOptions.confidence_score_effort":       {"high"},
	"SpreadsheetV1Parameters.tier":                    {"agentic", "cost_effective"},
	"SpreadsheetV1Parameters.table_merge_sensitivity": {"strong", "weak"},
	"ParseWebhookConfiguration.webhook_output_format": {"json", "string"},
}

// Values typed as free strings in the sources; each must at least be named in
// the field's description so a reader learns them from the spec. The official
// SDKs (TypeScript @llamaindex/llama-cloud 2.16.0, Go llama-parse-go 1.5.1)
// type expand, purpose and order_by as open strings, so the spec does too.
var wantDocumentedValues = map[string][]string{
	"ExtractExpand":                              {"configuration", "extract_metadata", "usage"},
	"FilePurpose":                                {"user_data", "parse", "extract", "split", "classify", "sheet", "agent_app"},
	"FileOrderBy":                                {"name", "id", "created_at"},
	"ExtractConfiguration.parse_tier":            {"fast", "cost_effective", "agentic", "agentic_plus"},
	"ExtractV2Job.status":                        {"PENDING", "THROTTLED", "RUNNING", "COMPLETED", "FAILED", "CANCELLED"},
	"WebhookConfiguration.webhook_output_format": {"string", "json"},
	"OutputOptions.additional_outputs":           {"stripped_md", "concatenated_stripped_txt", "word_bbox"},
	"File.purpose":                               {"user_data", "parse", "extract", "split", "classify", "sheet", "agent_app"},
	"SpreadsheetV1Parameters.specialization":     {"financial-standard", "financial-enhanced", "financial-precise"},
}

// schemaProps returns a component's properties, merged through allOf.
func schemaProps(s *openapi3.Schema) map[string]*openapi3.SchemaRef {
	out := map[string]*openapi3.SchemaRef{}
	for _, sub := range s.AllOf {
		for k, v := range schemaProps(sub.Value) {
			out[k] = v
		}
	}
	for k, v := range s.Properties {
		out[k] = v
	}
	return out
}

func resolvePath(t *testing.T, doc *openapi3.T, path string) *openapi3.Schema {
	t.Helper()
	name, rest, _ := strings.Cut(path, ".")
	ref := doc.Components.Schemas[name]
	if ref == nil {
		t.Fatalf("no component schema %s", name)
	}
	s := ref.Value
	if rest == "" {
		return s
	}
	items := strings.HasSuffix(rest, "[]")
	p := schemaProps(s)[strings.TrimSuffix(rest, "[]")]
	if p == nil {
		t.Fatalf("%s: no property %s", name, rest)
	}
	s = p.Value
	if items {
		s = s.Items.Value
	}
	return s
}

func TestSpecIsComplete(t *testing.T) {
	doc, err := loadSpec(llamaextract.Spec)
	if err != nil {
		t.Fatal(err)
	}
	ops := map[string]*openapi3.Operation{}
	counted := map[string]int{}
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			key := method + " " + path
			if want, ok := wantOperations[key]; !ok {
				t.Errorf("unexpected operation %s", key)
			} else if op.OperationID != want {
				t.Errorf("%s: operationId %q, want %q", key, op.OperationID, want)
			}
			ops[op.OperationID] = op
		}
	}
	counted["operations"] = len(ops)
	for key, id := range wantOperations {
		if ops[id] == nil {
			t.Errorf("missing operation %s (%s)", key, id)
		}
	}

	for id, params := range wantQuery {
		op := ops[id]
		if op == nil {
			continue
		}
		have := map[string]*openapi3.Parameter{}
		for _, p := range op.Parameters {
			if p.Value.In == openapi3.ParameterInQuery {
				have[p.Value.Name] = p.Value
			}
		}
		for _, name := range params {
			if have[name] == nil {
				t.Errorf("%s: missing query parameter %s", id, name)
			}
			counted["query parameters"]++
		}
		for name := range have {
			if !slices.Contains(params, name) {
				t.Errorf("%s: query parameter %s is not in the reference", id, name)
			}
		}
	}
	for _, key := range wantArrayQuery {
		id, name, _ := strings.Cut(key, ".")
		for _, p := range ops[id].Parameters {
			if p.Value.Name != name {
				continue
			}
			if !p.Value.Schema.Value.Type.Is(openapi3.TypeArray) || p.Value.Style != "form" || p.Value.Explode == nil || !*p.Value.Explode {
				t.Errorf("%s: array parameter %s must be style form, explode true", id, name)
			}
		}
	}

	for name, fields := range wantFields {
		ref := doc.Components.Schemas[name]
		if ref == nil {
			t.Errorf("missing schema %s", name)
			continue
		}
		props := schemaProps(ref.Value)
		for _, f := range fields {
			if props[f] == nil {
				t.Errorf("%s: missing field %s", name, f)
			}
			counted["fields"]++
		}
	}

	for path, values := range wantEnums {
		s := resolvePath(t, doc, path)
		if s.Enum == nil && len(s.AllOf) == 1 {
			s = s.AllOf[0].Value
		}
		for _, v := range values {
			if !slices.Contains(s.Enum, any(v)) {
				t.Errorf("%s: enum lacks %q", path, v)
			}
			counted["enum values"]++
		}
		if len(s.Enum) != len(values) {
			t.Errorf("%s: enum has %d values, the reference %d", path, len(s.Enum), len(values))
		}
	}
	for path, values := range wantDocumentedValues {
		s := resolvePath(t, doc, path)
		if len(s.Enum) != 0 {
			t.Errorf("%s: must stay an open string (forward compatibility), found enum", path)
		}
		for _, v := range values {
			if !strings.Contains(s.Description, v) {
				t.Errorf("%s: description does not name %q", path, v)
			}
			counted["documented values"]++
		}
	}

	// The parameters union must be discriminated on product_type with all six members.
	params := doc.Components.Schemas["Parameters"].Value
	if params.Discriminator == nil || params.Discriminator.PropertyName != "product_type" || len(params.OneOf) != 6 || len(params.Discriminator.Mapping) != 6 {
		t.Errorf("Parameters must be a oneOf of 6 members discriminated on product_type")
	}
	// extract_result: object | array of objects | null.
	res := doc.Components.Schemas["ExtractResult"].Value
	if !res.Nullable || len(res.OneOf) != 2 {
		t.Errorf("ExtractResult must be a nullable oneOf of object and array")
	}
	// status is open on the job.
	if st := resolvePath(t, doc, "ExtractV2Job.status"); len(st.Enum) != 0 {
		t.Errorf("ExtractV2Job.status must be an open string")
	}
	t.Logf("checked %v", counted)
}

// TestSpecOpenWhereTheSDKsAre keeps the choices issue 12 made from the official
// SDKs' types: open strings where theirs are open, no bound they do not know,
// and every deliberate difference named with its reason in info.description.
func TestSpecOpenWhereTheSDKsAre(t *testing.T) {
	doc, err := loadSpec(llamaextract.Spec)
	if err != nil {
		t.Fatal(err)
	}
	param := func(path, method, name string) *openapi3.Schema {
		t.Helper()
		op := doc.Paths.Value(path).GetOperation(method)
		for _, p := range op.Parameters {
			if p.Value.Name == name {
				return p.Value.Schema.Value
			}
		}
		t.Fatalf("%s %s: no parameter %s", method, path, name)
		return nil
	}
	open := map[string]*openapi3.Schema{
		"ListExtractJobs.expand[]":            param("/api/v2/extract", "GET", "expand").Items.Value,
		"GetExtractJob.expand[]":              param("/api/v2/extract/{job_id}", "GET", "expand").Items.Value,
		"ListExtractJobs.document_input_type": param("/api/v2/extract", "GET", "document_input_type"),
		"ListFiles.order_by":                  param("/api/v1/beta/files", "GET", "order_by"),
		"FileUpload.purpose":                  resolvePath(t, doc, "FileUpload.purpose"),
	}
	for where, s := range open {
		if len(s.Enum) != 0 {
			t.Errorf("%s: the official SDKs type it as an open string; found an enum", where)
		}
	}
	unbounded := map[string]*openapi3.Schema{
		"ListExtractJobs.page_size":         param("/api/v2/extract", "GET", "page_size"),
		"ListFiles.page_size":               param("/api/v1/beta/files", "GET", "page_size"),
		"ListConfigurations.page_size":      param("/api/v1/beta/configurations", "GET", "page_size"),
		"GetFileContent.expires_at_seconds": param("/api/v1/beta/files/{file_id}/content", "GET", "expires_at_seconds"),
		"FileQueryRequest.page_size":        resolvePath(t, doc, "FileQueryRequest.page_size"),
	}
	for where, s := range unbounded {
		if s.Min != nil || s.Max != nil {
			t.Errorf("%s: the official SDKs know no bound (the Go SDK's tests send 0); found one", where)
		}
	}
	for _, name := range []string{"extract_version", "num_document_tokens", "num_output_tokens", "parse_tier", "max_pages", "HTTPValidationError"} {
		if !strings.Contains(doc.Info.Description, name) {
			t.Errorf("info.description does not explain %s", name)
		}
	}
}
