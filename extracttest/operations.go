package extracttest

// The operations the emulator serves, by their operationId in openapi.yaml:
// the names Fault.Operation matches and Stats.Requests counts.
const (
	OpCreateExtractJob      = "CreateExtractJob"
	OpListExtractJobs       = "ListExtractJobs"
	OpGetExtractJob         = "GetExtractJob"
	OpDeleteExtractJob      = "DeleteExtractJob"
	OpCancelExtractJob      = "CancelExtractJob"
	OpValidateExtractSchema = "ValidateExtractSchema"
	OpGenerateExtractSchema = "GenerateExtractSchema"
	OpUploadFile            = "UploadFile"
	OpListFiles             = "ListFiles"
	OpQueryFiles            = "QueryFiles"
	OpGetFile               = "GetFile"
	OpDeleteFile            = "DeleteFile"
	OpGetFileContent        = "GetFileContent"
	OpCreateConfiguration   = "CreateConfiguration"
	OpListConfigurations    = "ListConfigurations"
	OpGetConfiguration      = "GetConfiguration"
	OpUpdateConfiguration   = "UpdateConfiguration"
	OpDeleteConfiguration   = "DeleteConfiguration"
)
