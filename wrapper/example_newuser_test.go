package wrapper_test

import (
	"context"
	"fmt"
	"log"
	"strings"
	"time"

	"github.com/extract-go/llamaextract/extracttest"
	"github.com/extract-go/llamaextract/wrapper"
)

// Upload with your own ID, then find the file by it.
func ExampleClient_UploadFile() {
	client, srv := exampleClient()
	defer srv.Close()
	ctx := context.Background()
	path := writeSample("contract.txt", "Party: Acme\n")
	f, err := client.UploadFile(ctx, path, wrapper.WithPurpose(wrapper.PurposeUserData), wrapper.WithExternalID("crm-42"))
	if err != nil {
		log.Fatal(err)
	}
	for file, err := range client.Files(ctx, wrapper.FileFilter{ExternalID: "crm-42"}) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(file.ID == f.ID, file.Name, file.Purpose)
	}
	// Output: true contract.txt user_data
}

// Save a configuration once, run jobs by its ID, change it, list, delete.
func ExampleClient_CreateConfiguration() {
	client, srv := exampleClient()
	defer srv.Close()
	ctx := context.Background()
	type Contract struct {
		Party string `json:"party"`
	}
	cfg, err := client.CreateConfiguration(ctx, wrapper.SavedConfig{
		Name:   "contracts",
		Config: wrapper.ExtractConfig{Schema: wrapper.MustSchemaFor[Contract](), CiteSources: true},
	})
	if err != nil {
		log.Fatal(err)
	}
	c, _, err := wrapper.Extract[Contract](ctx, client, writeSample("contract.txt", "Party: Acme\n"), cfg)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(c.Party)
	if _, err := client.UpdateConfiguration(ctx, wrapper.SavedConfig{ID: cfg.ID, Name: "contracts-v2"}); err != nil {
		log.Fatal(err)
	}
	for saved, err := range client.Configurations(ctx, wrapper.SavedConfigFilter{}) {
		if err != nil {
			log.Fatal(err)
		}
		fmt.Println(saved.Name, saved.Config.CiteSources)
	}
	if err := client.DeleteConfiguration(ctx, cfg.ID); err != nil {
		log.Fatal(err)
	}
	// Output:
	// Acme
	// contracts-v2 true
}

// One FakeClock drives the emulator and the client: a job that takes ten
// minutes finishes at once, and the clock shows the time it took.
func ExampleWithClock() {
	clock := extracttest.NewFakeClock(time.Date(2026, 11, 29, 9, 0, 0, 0, time.UTC))
	clock.SetAutoAdvance(true)
	srv := extracttest.NewServer(extracttest.WithClock(clock), extracttest.WithJobDuration(10*time.Minute))
	defer srv.Close()
	client, err := wrapper.New(wrapper.WithBaseURL(srv.URL), wrapper.WithAPIKey("test"), wrapper.WithClock(clock))
	if err != nil {
		log.Fatal(err)
	}
	type Note struct {
		Title string `json:"title"`
	}
	file := srv.AddFile("note.txt", []byte("Title: Minutes\n"))
	n, _, err := wrapper.Extract[Note](context.Background(), client, file, wrapper.ExtractConfig{}, wrapper.WithSchedule(wrapper.FixedSchedule(time.Minute)))
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(n.Title, clock.Now().Format("15:04"))
	// Output: Minutes 09:10
}

// A presigned link to an uploaded file's bytes.
func ExampleClient_FileDownloadURL() {
	client, srv := exampleClient()
	defer srv.Close()
	f, err := client.Upload(context.Background(), "a.txt", strings.NewReader("Total: 1\n"))
	if err != nil {
		log.Fatal(err)
	}
	u, expires, err := client.FileDownloadURL(context.Background(), f.ID)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(u != "", expires.After(time.Date(2026, 11, 29, 9, 0, 0, 0, time.UTC)))
	// Output: true true
}
