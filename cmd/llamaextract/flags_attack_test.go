package main

import "testing"

// More flags an outsider tried: each is a usage error (exit 2) before any
// upload. (--config-id is only known to exist when the job is created; the
// README states that limit.)
func TestMoreExtractFlagsCheckedBeforeUpload(t *testing.T) {
	srv, env := emulatorEnv(t)
	doc, schema := writeFile(t, "doc.txt", "Total: 3"), writeFile(t, "s.json", schemaJSON)
	bad := writeFile(t, "bad.json", "{not json")
	for _, args := range [][]string{
		{"--schema", schema, "--target", "per_nothing"},
		{"--schema", schema, "--tier", "platinum"},
		{"--schema", schema, "--poll-interval", "-1s"},
		{"--schema", bad},
		{"--schema", doc + ".missing"},
		{"--schema", schema, "--config-id", "cfg-1"},
	} {
		r := cli(t, env, append([]string{"extract", doc}, args...)...)
		if r.code != exitUsage {
			t.Errorf("%v: exit %d, want %d (usage)\n%s", args, r.code, exitUsage, r.stderr)
		}
	}
	if n := srv.Stats().Requests["UploadFile"]; n != 0 {
		t.Fatalf("%d uploads before the flags were checked", n)
	}
}
