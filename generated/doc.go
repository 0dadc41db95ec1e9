// Package generated is the typed client and models produced by oapi-codegen
// from openapi.yaml. Do not edit it: change the spec and run `make generate`.
//
// Most users want github.com/extract-go/llamaextract/wrapper, which adds
// waiting, paging, retries, typed errors and typed results on top.
package generated
