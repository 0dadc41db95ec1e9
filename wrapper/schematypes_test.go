package wrapper_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/extract-go/llamaextract/wrapper"
)

type node struct {
	Name     string `json:"name"`
	Children []node `json:"children"`
}

type viaPointer struct {
	Next *viaPointer `json:"next"`
}

type indirect struct {
	Items map[string][]struct {
		Back *indirect `json:"back"`
	} `json:"items"`
}

// SchemaFor on a type a data_schema cannot express returns a
// *ValidationError naming the field, instead of a stack overflow that
// kills the process or an empty schema.
func TestSchemaForInexpressibleTypes(t *testing.T) {
	check := func(name string, f func() (wrapper.Schema, error), field string) {
		t.Helper()
		_, err := f()
		var ve *wrapper.ValidationError
		if !errors.As(err, &ve) || !strings.Contains(ve.Field, field) {
			t.Errorf("%s: want a ValidationError naming %q, got %v", name, field, err)
		}
	}
	check("recursive slice", wrapper.SchemaFor[node], "children")
	check("recursive pointer", wrapper.SchemaFor[viaPointer], "next")
	check("recursive through a map", wrapper.SchemaFor[indirect], "back")
	check("chan", wrapper.SchemaFor[struct {
		C chan int `json:"c"`
	}], "c")
	check("func", wrapper.SchemaFor[struct{ F func() }], "F")
	check("interface", wrapper.SchemaFor[struct {
		V any `json:"v"`
	}], "v")
	check("int map keys", wrapper.SchemaFor[struct {
		M map[int]string `json:"m"`
	}], "m")
	check("complex", wrapper.SchemaFor[struct {
		Z complex128 `json:"z"`
	}], "z")
	// What JSON can say is still fine, repeated types included.
	if _, err := wrapper.SchemaFor[struct {
		When  time.Time `json:"when"`
		A, B  Line
		Skip  chan int `json:"-"`
		Bytes []byte   `json:"bytes"`
	}](); err != nil {
		t.Fatal(err)
	}
}
