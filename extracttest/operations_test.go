package extracttest

import (
	"slices"
	"testing"

	"github.com/extract-go/llamaextract/internal/apispec"
)

// operations lists the exported constants.
var operations = []string{
	OpCreateExtractJob, OpListExtractJobs, OpGetExtractJob, OpDeleteExtractJob, OpCancelExtractJob,
	OpValidateExtractSchema, OpGenerateExtractSchema, OpUploadFile, OpListFiles, OpQueryFiles, OpGetFile,
	OpDeleteFile, OpGetFileContent, OpCreateConfiguration, OpListConfigurations, OpGetConfiguration,
	OpUpdateConfiguration, OpDeleteConfiguration,
}

// The exported operation names are exactly the spec's operationIds: a
// renamed or added operation fails here, not in a user's fault script.
func TestOperationConstantsMatchSpec(t *testing.T) {
	var ids []string
	doc := apispec.Doc()
	for _, path := range doc.Paths.InMatchingOrder() {
		for _, op := range doc.Paths.Value(path).Operations() {
			ids = append(ids, op.OperationID)
		}
	}
	slices.Sort(ids)
	got := slices.Clone(operations)
	slices.Sort(got)
	if !slices.Equal(got, ids) {
		t.Fatalf("constants %v\nspec      %v", got, ids)
	}
}
