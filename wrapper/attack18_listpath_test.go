package wrapper_test

// Attack on issue 18, promise 2, the list path: a listed job keeps what
// internal/jsonrest copies out of the page by hand; GetJob keeps the body.
// Both must encode to the same JSON for the same job, however the server
// spells its keys (encoding/json matches keys case-insensitively and
// unescapes them; the last of a repeated key wins).

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/extract-go/llamaextract/wrapper"
)

func TestAttack18ListedJobEncodesAsFetched(t *testing.T) {
	ctx := context.Background()
	base := `"file_input":"dfl-1","project_id":"p","created_at":"2026-01-01T00:00:00Z","updated_at":"2026-01-01T00:00:00Z"`
	cases := map[string]string{
		"key in other case":        `{"id":"ext-1","Status":"COMPLETED",` + base + `}`,
		"escaped key":              `{"id":"ext-1","st\u0061tus":"COMPLETED",` + base + `}`,
		"repeated modelled key":    `{"id":"ext-1","status":"PENDING","status":"COMPLETED",` + base + `}`,
		"repeated unknown key":     `{"id":"ext-1","status":"COMPLETED","x":1,"x":2,` + base + `}`,
		"repeated configuration":   `{"id":"ext-1","status":"COMPLETED",` + base + `,"configuration":{"data_schema":{},"a":1},"configuration":{"data_schema":{},"b":2}}`,
		"configuration then null":  `{"id":"ext-1","status":"COMPLETED",` + base + `,"configuration":{"data_schema":{},"a":1},"configuration":null}`,
		"escaped configuration":    `{"id":"ext-1","status":"COMPLETED",` + base + `,"configur\u0061tion":{"data_schema":{},"a":1}}`,
		"Configuration other case": `{"id":"ext-1","status":"COMPLETED",` + base + `,"Configuration":{"data_schema":{},"a":1}}`,
		"config key other case":    `{"id":"ext-1","status":"COMPLETED",` + base + `,"configuration":{"data_schema":{},"Tier":"agentic","a":1}}`,
		"deep nesting":             `{"id":"ext-1","status":"COMPLETED",` + base + `,"z":[[[[[[[[[[[[[[[[[[[[{"a":[{}]}]]]]]]]]]]]]]]]]]]]]}`,
		"many unknown members":     `{"id":"ext-1","status":"COMPLETED",` + base + `,"a":1,"b":2,"c":3,"d":4,"e":5,"f":6,"g":7,"h":8,"i":9,"j":10,"k":11,"l":12,"m":13,"n":14,"o":15,"p":16,"q":17,"r":18}`,
	}
	for name, body := range cases {
		c := hostileServer(t, body, `{}`, `{}`)
		var direct wrapper.Job
		errD := json.Unmarshal([]byte(body), &direct)
		got, errG := c.GetJob(ctx, "ext-1")
		page, errL := c.ListJobs(ctx, wrapper.JobFilter{})
		if errD != nil || errG != nil || errL != nil {
			t.Errorf("%s: decode %v, GetJob %v, ListJobs %v", name, errD, errG, errL)
			continue
		}
		d, _ := json.Marshal(&direct)
		g, _ := json.Marshal(got)
		l, _ := json.Marshal(page.Items[0])
		if !sameJSON(d, g) || !sameJSON(g, l) {
			t.Errorf("%s: the same job encodes differently (as JSON values):\n json.Unmarshal %s\n GetJob         %s\n ListJobs       %s", name, d, g, l)
		}
		checkKept(t, name+" (ListJobs)", []byte(body), l)
	}
}
