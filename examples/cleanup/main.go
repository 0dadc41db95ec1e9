// Command cleanup lists finished jobs older than a cutoff with wrapper.Jobs
// (which pages for you) and deletes them; -dry-run only lists.
//
//	go run ./examples/cleanup -older-than 720h -dry-run
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"time"

	"github.com/extract-go/llamaextract/examples/internal/exampleenv"
	"github.com/extract-go/llamaextract/wrapper"
)

func main() {
	olderThan := flag.Duration("older-than", 30*24*time.Hour, "delete finished jobs created before now minus this")
	dryRun := flag.Bool("dry-run", false, "list what would be deleted, delete nothing")
	flag.Parse()
	client, done, err := exampleenv.Client()
	if err != nil {
		log.Fatal(err)
	}
	defer done()
	ctx := context.Background()
	cutoff := time.Now().Add(-*olderThan)

	var deleted, kept int
	for _, status := range []wrapper.Status{wrapper.StatusCompleted, wrapper.StatusFailed, wrapper.StatusCancelled} {
		// Collect first: deleting while paging would shift the pages.
		var old []string
		for job, err := range client.Jobs(ctx, wrapper.JobFilter{Status: status, CreatedBefore: cutoff, PageSize: 100}) {
			if err != nil {
				log.Fatal(err)
			}
			old = append(old, job.ID)
		}
		for _, id := range old {
			if *dryRun {
				fmt.Println("would delete", id, status)
				kept++
				continue
			}
			if err := client.DeleteJob(ctx, id); err != nil {
				log.Printf("delete %s: %v", id, err)
				kept++
				continue
			}
			deleted++
		}
	}
	fmt.Printf("deleted %d jobs, kept %d (cutoff %s)\n", deleted, kept, cutoff.Format(time.RFC3339))
}
