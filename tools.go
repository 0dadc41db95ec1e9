//go:build tools

// Package llamaextract's tools.go pins the code generator and linters in go.mod
// so that `go generate` and `make lint` need no global installs.
package llamaextract

import (
	_ "github.com/oapi-codegen/oapi-codegen/v2/cmd/oapi-codegen"
	_ "honnef.co/go/tools/cmd/staticcheck"
)
