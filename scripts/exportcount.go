//go:build ignore

// Command exportcount counts the exported identifiers of a package, the
// measure issue 11 asks to bring down: exported package-level consts, vars,
// types and funcs, plus exported methods and exported struct fields of
// exported types (test files excluded). Methods that only implement a
// standard interface (Error, Unwrap, Is, String, MarshalJSON, UnmarshalJSON,
// and Next of Schedule) are also counted apart, as they add no vocabulary.
//
//	go run scripts/exportcount.go ./wrapper
package main

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strings"
)

func main() {
	dir := "./wrapper"
	if len(os.Args) > 1 {
		dir = os.Args[1]
	}
	fset := token.NewFileSet()
	files, _ := filepath.Glob(filepath.Join(dir, "*.go"))
	var decls, methods, fields, std int
	stdNames := map[string]bool{"Error": true, "Unwrap": true, "Is": true, "String": true, "MarshalJSON": true, "UnmarshalJSON": true, "Next": true}
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		for _, d := range f.Decls {
			switch d := d.(type) {
			case *ast.FuncDecl:
				if !d.Name.IsExported() {
					continue
				}
				if d.Recv == nil {
					decls++
					continue
				}
				t := d.Recv.List[0].Type
				if s, ok := t.(*ast.StarExpr); ok {
					t = s.X
				}
				if ix, ok := t.(*ast.IndexExpr); ok {
					t = ix.X
				}
				if id, ok := t.(*ast.Ident); ok && id.IsExported() {
					methods++
					if stdNames[d.Name.Name] {
						std++
					}
				}
			case *ast.GenDecl:
				for _, s := range d.Specs {
					switch s := s.(type) {
					case *ast.ValueSpec:
						for _, n := range s.Names {
							if n.IsExported() {
								decls++
							}
						}
					case *ast.TypeSpec:
						if !s.Name.IsExported() {
							continue
						}
						decls++
						if st, ok := s.Type.(*ast.StructType); ok {
							for _, fl := range st.Fields.List {
								for _, n := range fl.Names {
									if n.IsExported() {
										fields++
									}
								}
							}
						}
					}
				}
			}
		}
	}
	fmt.Printf("package-level %d + methods %d = %d (without %d standard-interface methods: %d); struct fields %d\n",
		decls, methods, decls+methods, std, decls+methods-std, fields)
}
