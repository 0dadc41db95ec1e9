// Package sample holds the sample invoice and its schema, the one copy that
// the invoice example, `llamaextract demo` and `make demo` all read: the
// files sit beside this one and are embedded in every binary that imports
// it, so the demo runs from any folder.
package sample

import _ "embed"

// Document is invoice.txt: a small invoice of "Label: value" lines and a
// table of line items.
//
//go:embed invoice.txt
var Document []byte

// DocumentName is the file name Document is uploaded under.
const DocumentName = "invoice.txt"

// Schema is schema.json: the JSON Schema of the fields to extract from
// Document.
//
//go:embed schema.json
var Schema []byte
