package llamaextract_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/extract-go/llamaextract"
)

func TestSpecIsValid(t *testing.T) {
	for _, p := range checkSpec(llamaextract.Spec) {
		t.Error(p)
	}
}

// TestSpecRulesCatchBreakage proves each rule fails on a deliberately broken
// copy of the spec, and that the message names the spot.
func TestSpecRulesCatchBreakage(t *testing.T) {
	cases := []struct {
		name      string
		old, new  string
		wantInMsg []string
	}{
		{
			name:      "missing operationId",
			old:       "      operationId: CancelExtractJob\n",
			new:       "",
			wantInMsg: []string{"/api/v2/extract/{job_id}/cancel", "no operationId"},
		},
		{
			name:      "missing operation description",
			old:       "      description: Removes an uploaded file. No body comes back.\n",
			new:       "",
			wantInMsg: []string{"DELETE /api/v1/beta/files/{file_id}", "no description"},
		},
		{
			name: "no error response",
			old: `        "204":
          description: The configuration is gone.
        "401": {$ref: '#/components/responses/Unauthorized'}
        "404": {$ref: '#/components/responses/NotFound'}
        "422": {$ref: '#/components/responses/Unprocessable'}
        "429": {$ref: '#/components/responses/TooManyRequests'}
        default: {$ref: '#/components/responses/ServerError'}
`,
			new: `        "204":
          description: The configuration is gone.
`,
			wantInMsg: []string{"DELETE /api/v1/beta/configurations/{config_id}", "no 4xx/5xx", "no 422"},
		},
		{
			name:      "422 in the handler's shape",
			old:       "          schema: {$ref: '#/components/schemas/HTTPValidationError'}\n",
			new:       "          schema: {$ref: '#/components/schemas/Error'}\n",
			wantInMsg: []string{"response 422", "must use #/components/schemas/HTTPValidationError"},
		},
		{
			name:      "invalid example",
			old:       "                expires_at: \"2026-01-01T00:10:00Z\"\n",
			new:       "                expires_at: 42\n",
			wantInMsg: []string{"/content", "example"},
		},
		{
			name:      "invalid component example",
			old:       "        status: PENDING\n",
			new:       "        status: 7\n",
			wantInMsg: []string{"PendingJob", "status"},
		},
		{
			name:      "broken $ref",
			old:       "        purpose: {$ref: '#/components/schemas/FilePurpose'}\n",
			new:       "        purpose: {$ref: '#/components/schemas/FilePurpse'}\n",
			wantInMsg: []string{"FilePurpse"},
		},
		{
			name:      "property without description",
			old:       `        file_type: {type: string, nullable: true, description: "Extension, e.g. pdf or docx."}` + "\n",
			new:       "        file_type: {type: string, nullable: true}\n",
			wantInMsg: []string{"schema File.file_type", "no description"},
		},
		{
			name:      "bare number",
			old:       `        credits: {type: number, format: double, nullable: true,`,
			new:       `        credits: {type: number, nullable: true,`,
			wantInMsg: []string{"schema JobUsage.credits", "format: double"},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			if bytes.Count(llamaextract.Spec, []byte(tc.old)) != 1 {
				t.Fatalf("test setup: %q must occur exactly once in openapi.yaml", tc.old)
			}
			broken := bytes.Replace(llamaextract.Spec, []byte(tc.old), []byte(tc.new), 1)
			problems := checkSpec(broken)
			if len(problems) == 0 {
				t.Fatal("broken spec passed every check")
			}
			all := strings.Join(problems, "\n")
			for _, want := range tc.wantInMsg {
				if !strings.Contains(all, want) {
					t.Errorf("problems do not mention %q:\n%s", want, all)
				}
			}
		})
	}
}
