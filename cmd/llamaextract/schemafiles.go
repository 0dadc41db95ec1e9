package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"

	"github.com/extract-go/llamaextract/wrapper"
	"github.com/spf13/cobra"
)

// maxSchemaBytes bounds what is read for a schema: a JSON Schema is small,
// and --schema /dev/zero must end with an error, not exhaust memory.
const maxSchemaBytes = 16 << 20

// readAll reads r whole, refusing more than maxSchemaBytes.
func readAll(r io.Reader) ([]byte, error) {
	if r == nil {
		return nil, io.ErrUnexpectedEOF
	}
	b, err := io.ReadAll(io.LimitReader(r, maxSchemaBytes+1))
	if err == nil && len(b) > maxSchemaBytes {
		return nil, fmt.Errorf("larger than %d bytes; a schema is a small JSON document", maxSchemaBytes)
	}
	return b, err
}

func writeJSONCompact(w io.Writer, v any) error {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return err
	}
	_, err := w.Write(bytes.TrimRight(buf.Bytes(), "\n"))
	return err
}

func newSchemaCmd(g *globals) *cobra.Command {
	cmd := groupCmd("schema", "Check and generate data schemas")
	cmd.AddCommand(&cobra.Command{
		Use:   "validate FILE",
		Short: "Check a JSON Schema locally and with the service; print the normalised schema",
		Args:  exactArgs(1, "one schema file (or - for stdin)"),
		RunE: func(cmd *cobra.Command, args []string) error {
			s, err := readSchema(g, "schema", args[0])
			if err != nil {
				return err
			}
			c, err := g.client()
			if err != nil {
				return err
			}
			out, err := c.ValidateSchema(runCtx(cmd), s)
			if err != nil {
				return err
			}
			return writeRaw(g.stdout, out.JSON())
		},
	})
	var prompt, fileID, name, from string
	gen := &cobra.Command{
		Use:     "generate",
		Short:   "Draft a configuration from a prompt, a schema and/or a sample file",
		Example: `  llamaextract schema generate --prompt "invoice number, vendor and total" | jq .parameters.data_schema`,
		Args:    exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, _ []string) error {
			req := wrapper.GenerateSchemaRequest{Prompt: prompt, FileID: fileID, Name: name}
			if from != "" {
				var err error
				if req.Schema, err = readSchema(g, "--schema", from); err != nil {
					return err
				}
			}
			c, err := g.client()
			if err != nil {
				return err
			}
			draft, err := c.GenerateSchema(runCtx(cmd), req)
			if err != nil {
				return err
			}
			// The API's shape (ConfigurationCreate), so the output can be
			// saved as is.
			raw, err := json.Marshal(draft.Config)
			if err != nil {
				return err
			}
			var params map[string]any
			if err := json.Unmarshal(raw, &params); err != nil {
				return err
			}
			params["product_type"] = "extract_v2"
			return writeJSON(g.stdout, map[string]any{"name": draft.Name, "parameters": params})
		},
	}
	gen.Flags().StringVar(&prompt, "prompt", "", "plain-language description of the data wanted")
	gen.Flags().StringVar(&fileID, "file-id", "", "sample document to derive fields from (dfl-...)")
	gen.Flags().StringVar(&from, "schema", "", "starting schema file to refine")
	gen.Flags().StringVar(&name, "name", "", "configuration name (generated when empty)")
	cmd.AddCommand(gen)
	return cmd
}

func newFilesCmd(g *globals) *cobra.Command {
	cmd := groupCmd("files", "Upload documents")
	var purpose, externalID string
	up := &cobra.Command{
		Use:   "upload FILE",
		Short: "Upload a document and print its file object (use its id as file input)",
		Args:  exactArgs(1, "one file path"),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := g.client()
			if err != nil {
				return err
			}
			f, err := c.UploadFile(runCtx(cmd), args[0], wrapper.WithPurpose(wrapper.FilePurpose(purpose)), wrapper.WithExternalID(externalID))
			if err != nil {
				return err
			}
			return writeJSON(g.stdout, f)
		},
	}
	up.Flags().StringVar(&purpose, "purpose", "extract", "storage purpose: user_data, parse, extract, split, classify, sheet, agent_app")
	up.Flags().StringVar(&externalID, "external-id", "", "your own ID for the file")
	cmd.AddCommand(up)
	return cmd
}
