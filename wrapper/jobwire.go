package wrapper

import (
	"encoding/json"

	"github.com/extract-go/llamaextract/generated"
)

// jobWire is what GetJob, ListJobs and GetJobResult decode a job into: the
// generated model, with metadata read by jobMetadataWire instead of the
// generated JobMetadata.UnmarshalJSON. That one decodes the object into a
// map of raw values and then decodes every value again, which made listing
// jobs cost 1.13× the bytes and 1.14× the allocations of plain
// encoding/json (issue 14); the metadata object almost always carries only
// "usage", and then one plain decode does.
type jobWire struct {
	generated.ExtractV2Job
	// Metadata shadows ExtractV2Job.Metadata (a shallower field wins).
	Metadata *jobMetadataWire `json:"metadata,omitempty"`
}

// job returns the decoded job with its metadata in place.
func (w *jobWire) job() Job {
	j := Job{ExtractV2Job: w.ExtractV2Job}
	j.ExtractV2Job.Metadata = (*generated.JobMetadata)(w.Metadata)
	return j
}

// jobMetadataWire is generated.JobMetadata with a faster decoder.
type jobMetadataWire generated.JobMetadata

// plainJobMetadata has JobMetadata's fields and no methods: encoding/json
// fills Usage by its tag and ignores AdditionalProperties (tagged "-").
type plainJobMetadata generated.JobMetadata

// UnmarshalJSON decodes usage straight into its struct when it is the only
// key; any other key takes the generated decoder, which keeps it in
// AdditionalProperties, so nothing the server sends is lost.
func (m *jobMetadataWire) UnmarshalJSON(b []byte) error {
	if onlyKey(b, "usage") {
		return json.Unmarshal(b, (*plainJobMetadata)(m))
	}
	return (*generated.JobMetadata)(m).UnmarshalJSON(b)
}

// onlyKey reports whether the JSON object b has no key other than key, and
// that one at most once (with a duplicate, a plain decode would merge both
// values where the generated one keeps the last). b is valid JSON
// (encoding/json checked the whole body before calling an Unmarshaler); a
// key written with escapes never matches, so it takes the general path.
func onlyKey(b []byte, key string) bool {
	depth, seen := 0, false
	expectKey := false
	for i := 0; i < len(b); i++ {
		switch b[i] {
		case '{':
			depth++
			expectKey = depth == 1
		case '[':
			depth++
		case '}', ']':
			depth--
		case ',':
			expectKey = depth == 1
		case '"':
			j := i + 1
			for j < len(b) && b[j] != '"' {
				if b[j] == '\\' {
					j++
				}
				j++
			}
			if expectKey && depth == 1 {
				if seen || j > len(b) || string(b[i+1:j]) != key {
					return false
				}
				seen, expectKey = true, false
			}
			i = j
		}
	}
	return true
}
