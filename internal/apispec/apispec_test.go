package apispec

import (
	"context"
	"net/http"
	"testing"
)

// Literal segments win over parameters, and every operation is found.
func TestFind(t *testing.T) {
	for _, tc := range []struct{ method, path, op, param string }{
		{"POST", "/api/v2/extract/schema/validation", "ValidateExtractSchema", ""},
		{"GET", "/api/v2/extract/ext-1", "GetExtractJob", "ext-1"},
		{"POST", "/api/v2/extract/ext-1/cancel", "CancelExtractJob", "ext-1"},
		{"GET", "/api/v1/beta/files/dfl-1/content", "GetFileContent", ""},
		{"GET", "/api/v2/extract", "ListExtractJobs", ""},
	} {
		route, params := Find(tc.method, tc.path)
		if route == nil || route.Operation.OperationID != tc.op {
			t.Errorf("%s %s: %v", tc.method, tc.path, route)
			continue
		}
		if tc.param != "" && params["job_id"] != tc.param {
			t.Errorf("%s %s: params %v", tc.method, tc.path, params)
		}
	}
	for _, miss := range [][2]string{{"GET", "/api/v2/extract//cancel"}, {"PATCH", "/api/v2/extract"}, {"GET", "/nope"}} {
		if route, _ := Find(miss[0], miss[1]); route != nil {
			t.Errorf("%v found %s", miss, route.Operation.OperationID)
		}
	}
	if n := len(Routes()); n != 18 {
		t.Errorf("%d routes, want the spec's 18 operations", n)
	}
}

func TestCheckResponse(t *testing.T) {
	route, _ := Find("GET", "/api/v1/beta/files/dfl-1")
	r, _ := http.NewRequest("GET", "http://x/api/v1/beta/files/dfl-1", nil)
	h := http.Header{"Content-Type": {"application/json"}}
	if err := CheckResponse(context.Background(), r, route, 200, h, []byte(`{"id":"dfl-1","name":"a.pdf","project_id":"p"}`)); err != nil {
		t.Fatal(err)
	}
	if err := CheckResponse(context.Background(), r, route, 200, h, []byte(`{"id":"dfl-1"}`)); err == nil {
		t.Fatal("a file without name and project_id passed")
	}
}
