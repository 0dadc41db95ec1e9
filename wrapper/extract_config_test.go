package wrapper

import "testing"

// A pointer to a configuration works like the value, and a nil pointer is
// "no configuration" (an error naming the field), never a panic.
func TestConfigPointers(t *testing.T) {
	var nilInline *ExtractConfig
	var nilSaved *SavedConfig
	saved := SavedConfig{ID: "cfg-1"}
	for _, c := range []Config{nilInline, nilSaved} {
		if _, err := (CreateJobRequest{FileInput: "dfl-1", Config: c}).body(); err == nil {
			t.Errorf("%T(nil): no error", c)
		}
	}
	body, err := CreateJobRequest{FileInput: "dfl-1", Config: &saved}.body()
	if err != nil || body.ConfigurationID != "cfg-1" {
		t.Fatalf("*SavedConfig: %v", err)
	}
	body, err = CreateJobRequest{FileInput: "dfl-1", Config: &ExtractConfig{Schema: MustSchemaFor[struct{ A string }](), Target: PerPage}}.body()
	if err != nil || body.Configuration == nil || body.Configuration.Target != PerPage {
		t.Fatalf("*ExtractConfig: %v", err)
	}
}
