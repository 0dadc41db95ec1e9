package wrapper_test

import (
	"encoding/json"
	"errors"
	"reflect"
	"testing"

	"github.com/extract-go/llamaextract/wrapper"
)

// asString is a struct with a plain string where decodeLike's has a V.
type asString struct {
	Before string `json:"before"`
	V      string `json:"v"`
	After  string `json:"after"`
}

type decodeLike[V ~string] struct {
	Before string `json:"before"`
	V      V      `json:"v"`
	After  string `json:"after"`
}

// Status, Target and Tier promise to decode "exactly as encoding/json
// decodes a string": a user's own struct with one of them (a cached job, a
// webhook payload, a result type) must decode as it did when they were
// plain strings, not only for documented values but for everything a
// server or a file can hold: the same value, the same fields decoded
// around a wrong type (encoding/json goes on after a type mismatch), and
// the same *json.UnmarshalTypeError (Value, Field, Offset; Type naming the
// field's own type), which callers match on.
func TestKnownValuesDecodeExactlyAsStrings(t *testing.T) {
	checkDecodesAsString[wrapper.Status](t)
	checkDecodesAsString[wrapper.Target](t)
	checkDecodesAsString[wrapper.Tier](t)
}

func checkDecodesAsString[V ~string](t *testing.T) {
	t.Helper()
	typ := reflect.TypeFor[V]()
	for _, in := range []string{
		`"COMPLETED"`, `"per_table_row"`, `"agentic_plus"`, `"x"`, `""`, `null`,
		`5`, `-1.5e3`, `true`, `false`, `{}`, `{"a":"COMPLETED"}`, `[]`, `["agentic"]`,
		`"\u0043OMPLETED"`, `"per\u005fdoc"`, `"COMPLETED\u0000"`, "\"\xff\xfeCOMPLETED\"", `"\ud800"`, `"\"agentic\""`,
	} {
		body := []byte(`{"before":"b","v":` + in + `,"after":"a"}`)
		var want asString
		wantErr := json.Unmarshal(body, &want)
		var got decodeLike[V]
		gotErr := json.Unmarshal(body, &got)
		if got.Before != want.Before || string(got.V) != want.V || got.After != want.After {
			t.Errorf("%s %s: %q %q %q, a string field gives %q %q %q", typ, in, got.Before, got.V, got.After, want.Before, want.V, want.After)
		}
		if (gotErr == nil) != (wantErr == nil) {
			t.Errorf("%s %s: %v, a string field gives %v", typ, in, gotErr, wantErr)
			continue
		}
		var wt, gt *json.UnmarshalTypeError
		if errors.As(wantErr, &wt) {
			if !errors.As(gotErr, &gt) {
				t.Errorf("%s %s: %T %v, want a *json.UnmarshalTypeError", typ, in, gotErr, gotErr)
				continue
			}
			if gt.Value != wt.Value || gt.Field != wt.Field || gt.Offset != wt.Offset || gt.Type != typ {
				t.Errorf("%s %s: %+v, want %+v with type %s", typ, in, *gt, *wt, typ)
			}
		}
	}
}
