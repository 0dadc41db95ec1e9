// Package llamaextract holds the API contract of the LlamaCloud Extract client:
// the OpenAPI document every other package is built from or checked against.
//
// Users import github.com/extract-go/llamaextract/wrapper for the client and
// github.com/extract-go/llamaextract/extracttest for the in-memory emulator.
// This root package only exports the embedded specification and the lenient
// timestamp type the generated models use.
package llamaextract

import _ "embed"

//go:generate go run github.com/oapi-codegen/oapi-codegen/v2/cmd/oapi-codegen -config generated/oapi-codegen.yaml openapi.yaml
//go:generate go run scripts/enumgen.go openapi.yaml generated/enums.gen.go

// Spec is openapi.yaml as embedded at build time. The emulator validates every
// request and response against these bytes, and the spec tests load them, so
// the contract that is checked is always the one that generated the code.
//
// Spec is exported for reading only; modifying the slice changes what later
// validators in the same process see.
//
//go:embed openapi.yaml
var Spec []byte
