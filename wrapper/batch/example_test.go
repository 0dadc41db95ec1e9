package batch_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"slices"
	"sort"

	"github.com/extract-go/llamaextract/wrapper"
	"github.com/extract-go/llamaextract/wrapper/batch"
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
	for item, err := range batch.ExtractAll[Letter](context.Background(), client, paths, wrapper.ExtractConfig{}) {
		if errors.Is(err, batch.ErrStopped) {
			log.Fatal(err) // a *batch.StoppedError lists the inputs not done
		}
		if err != nil {
			log.Printf("input %d (%s): %v", item.Index, item.Input, err)
			continue
		}
		senders = append(senders, item.Value.Sender)
	}
	sort.Strings(senders)
	fmt.Println(senders)
	// Output: [Ada Grace]
}

func ExampleNew() {
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
		x, err := batch.New[Doc](client, wrapper.ExtractConfig{}, batch.WithState(state))
		if err != nil {
			log.Fatal(err)
		}
		defer x.Close()
		n := 0
		for _, err := range x.Run(context.Background(), slices.Values(paths)) {
			if err != nil {
				log.Fatal(err)
			}
			n++
		}
		fmt.Printf("extracted %d, skipped %d\n", n, x.Progress().Skipped)
	}
	run()
	run()
	// Output:
	// extracted 3, skipped 0
	// extracted 0, skipped 3
}

func ExampleRunAll() {
	client, srv := exampleClient()
	defer srv.Close()
	file := srv.AddFile("a.txt", []byte("Sender: Jane Doe\n"))
	cfg := wrapper.ExtractConfig{Schema: wrapper.MustSchemaFor[struct{ Sender string }]()}
	reqs := []wrapper.CreateJobRequest{{FileInput: file, Config: cfg}, {FileInput: file, Config: cfg}}
	done := 0
	for r, err := range batch.RunAll(context.Background(), client, reqs) {
		if err != nil {
			log.Fatalf("request %d: %v", r.Index, err)
		}
		done++
	}
	fmt.Println(done, "jobs completed")
	// Output: 2 jobs completed
}

// A stopped batch says which inputs never started.
func ExampleStoppedError() {
	client, srv := exampleClient()
	defer srv.Close()
	paths := []string{writeSample("example-stop-1.txt", "Sender: Ada\n"), writeSample("example-stop-2.txt", "Sender: Grace\n")}
	ctx, cancel := context.WithCancel(context.Background())
	cancel() // e.g. Ctrl-C
	for _, err := range batch.ExtractAll[struct{ Sender string }](ctx, client, paths, wrapper.ExtractConfig{}) {
		var stop *batch.StoppedError
		if errors.As(err, &stop) {
			fmt.Println(errors.Is(err, context.Canceled), len(stop.Unfinished)+len(stop.NotStarted), "inputs not done")
		}
	}
	// Output: true 2 inputs not done
}
