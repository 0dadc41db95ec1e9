package wrapper_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"time"

	"github.com/extract-go/llamaextract/extracttest"
	"github.com/extract-go/llamaextract/wrapper"
)

// On a file ID that other callers may share, a create whose answer was
// lost is never settled by guessing: the error lists the jobs that may be
// this call's, and the caller decides.
func ExampleAmbiguousCreateError() {
	client, srv := exampleClient()
	defer srv.Close()
	file := srv.AddFile("shared.txt", []byte("Total: 12"))
	// The server makes the job, then the connection drops.
	srv.InjectFault(extracttest.Fault{Operation: "CreateExtractJob", Kind: extracttest.FaultDropAfter, Times: 1})

	schema := wrapper.MustSchemaFor[struct {
		Total float64 `json:"total"`
	}]()
	_, err := client.CreateJob(context.Background(), wrapper.CreateJobRequest{FileInput: file, Config: wrapper.ExtractConfig{Schema: schema}})
	var amb *wrapper.AmbiguousCreateError
	if errors.As(err, &amb) {
		fmt.Println("ambiguous:", errors.Is(err, wrapper.ErrAmbiguousCreate), "candidates:", len(amb.Candidates))
	}

	// A file this call uploaded (as Extract does) is its own: the job the
	// lost attempt made is adopted, and no second job is created.
	srv.InjectFault(extracttest.Fault{Operation: "CreateExtractJob", Kind: extracttest.FaultDropAfter, Times: 1})
	own := srv.AddFile("own.txt", []byte("Total: 12"))
	job, err := client.CreateJob(context.Background(), wrapper.CreateJobRequest{FileInput: own, Config: wrapper.ExtractConfig{Schema: schema}, OwnsFile: true})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("adopted:", job.ID != "", "jobs on the file:", srv.JobsCreatedFor(own))
	// Output:
	// ambiguous: true candidates: 1
	// adopted: true jobs on the file: 1
}

// Each attempt of a request is bounded, so a server that stalls cannot
// hang a call that has no deadline of its own.
func ExampleWithRequestTimeout() {
	client, err := wrapper.New(wrapper.WithAPIKey("llx-..."), wrapper.WithRequestTimeout(20*time.Second))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(client.BaseURL())
	// Output: https://api.cloud.llamaindex.ai
}
