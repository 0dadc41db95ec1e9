package wrapper_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"slices"
	"sort"

	"github.com/extract-go/llamaextract/wrapper"
)

func ExampleExtractAll() {
	client, srv := exampleClient()
	defer srv.Close()
	type Letter struct {
		Sender string `json:"sender"`
	}
	paths := []string{
		writeSample("example-batch-1.txt", "Sender: Ada\n"),
		writeSample("example-batch-2.txt", "Sender: Grace\n"),
	}
	// Results stream in completion order; err is that document's failure.
	var senders []string
	for item, err := range wrapper.ExtractAll[Letter](context.Background(), client, paths, wrapper.ExtractConfig{}) {
		if err != nil {
			log.Printf("%s: %v", item.Input, err) // the last pair of a stopped batch has no Input
			continue
		}
		senders = append(senders, item.Value.Sender)
	}
	sort.Strings(senders)
	fmt.Println(senders)
	// Output: [Ada Grace]
}

func ExampleNewBatch() {
	client, srv := exampleClient()
	defer srv.Close()
	dir, err := os.MkdirTemp("", "example-batch")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	var paths []string
	for i := range 3 {
		p := filepath.Join(dir, fmt.Sprintf("doc-%d.txt", i))
		if err := os.WriteFile(p, []byte(fmt.Sprintf("Total: %d\n", i)), 0o600); err != nil {
			log.Fatal(err)
		}
		paths = append(paths, p)
	}
	type Doc struct {
		Total float64 `json:"total"`
	}
	state := filepath.Join(dir, "batch.state")
	run := func() {
		// With a state file the batch is resumable: run the same code again
		// after a crash and it picks up where it stopped.
		b, err := wrapper.NewBatch[Doc](client, wrapper.ExtractConfig{}, wrapper.WithState(state))
		if err != nil {
			log.Fatal(err)
		}
		defer b.Close()
		n := 0
		for _, err := range b.Run(context.Background(), slices.Values(paths)) {
			if err != nil {
				log.Fatal(err)
			}
			n++
		}
		fmt.Printf("extracted %d, skipped %d\n", n, b.Progress().Skipped)
	}
	run()
	run()
	// Output:
	// extracted 3, skipped 0
	// extracted 0, skipped 3
}

func ExampleClient_RunAll() {
	client, srv := exampleClient()
	defer srv.Close()
	file := srv.AddFile("a.txt", []byte("Sender: Jane Doe\n"))
	cfg := wrapper.ExtractConfig{Schema: wrapper.MustSchemaFor[struct{ Sender string }]()}
	reqs := []wrapper.CreateJobRequest{{FileInput: file, Config: cfg}, {FileInput: file, Config: cfg}}
	done := 0
	for r, err := range client.RunAll(context.Background(), reqs) {
		if err != nil {
			log.Fatalf("request %d: %v", r.Index, err)
		}
		done++
	}
	fmt.Println(done, "jobs completed")
	// Output: 2 jobs completed
}
