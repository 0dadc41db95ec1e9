package wrapper

// The API types these as open strings (as the official SDKs do); the
// constants are the values it documents. See openapi.yaml for what the
// service does with a value it does not know.

// InputKind is the kind of document a job reads, for
// JobFilter.DocumentInputType. A kind the service does not know is accepted
// and matches no job.
type InputKind string

// Input kinds the service documents.
const (
	// InputFileID is an uploaded file (dfl-...).
	InputFileID InputKind = "file_id"
	// InputParseJobID is a completed parse job (pjb-...).
	InputParseJobID InputKind = "parse_job_id"
)

// FileOrder is a sort key of ListFiles (its order_by). The service refuses
// any other key, a direction or several keys with a 400.
type FileOrder string

// Sort keys of ListFiles.
const (
	// FileOrderName sorts by file name, ascending.
	FileOrderName FileOrder = "name"
	// FileOrderID sorts by file ID, ascending.
	FileOrderID FileOrder = "id"
	// FileOrderCreatedAt sorts newest first (the default).
	FileOrderCreatedAt FileOrder = "created_at"
)
