// Command report extracts one summary per page of a report (per_page) and
// prints each page's headline with the confidence of its extraction.
//
//	go run ./examples/report [-file report.pdf]
package main

import (
	"context"
	_ "embed"
	"flag"
	"fmt"
	"log"

	"github.com/extract-go/llamaextract/examples/internal/exampleenv"
	"github.com/extract-go/llamaextract/wrapper"
)

//go:embed report.txt
var sample []byte

// Page is what we want from every page.
type Page struct {
	Section  string `json:"section"`
	Headline string `json:"headline" jsonschema:"description=The page's main statement"`
}

func main() {
	file := flag.String("file", "", "report to extract (default: the bundled sample)")
	flag.Parse()
	client, done, err := exampleenv.Client()
	if err != nil {
		log.Fatal(err)
	}
	defer done()
	path, err := exampleenv.SampleFile(*file, "report.txt", sample)
	if err != nil {
		log.Fatal(err)
	}
	pages, job, err := wrapper.ExtractRows[Page](context.Background(), client, path,
		wrapper.ExtractConfig{Target: wrapper.PerPage, ConfidenceScores: true})
	if err != nil {
		log.Fatal(err)
	}
	md := job.Metadata()
	for i, p := range pages {
		conf := "n/a"
		if f, ok := md.PageField(i, "headline"); ok && f.Confidence != nil {
			conf = fmt.Sprintf("%.2f", *f.Confidence)
		}
		fmt.Printf("page %d [%s] %s (confidence %s)\n", i+1, p.Section, p.Headline, conf)
	}
}
