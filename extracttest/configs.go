package extracttest

import (
	"encoding/json"
	"net/http"
	"slices"

	"github.com/extract-go/llamaextract"
	"github.com/extract-go/llamaextract/generated"
	"github.com/extract-go/llamaextract/internal/schemacheck"
	"github.com/getkin/kin-openapi/openapi3"
)

func configView(c *savedConfig) generated.ConfigurationResponse {
	created, updated := llamaextract.NewTime(c.created), llamaextract.NewTime(c.updated)
	ver, _ := updated.MarshalText()
	return generated.ConfigurationResponse{Id: c.id, Name: c.name, Parameters: c.parameters,
		ProductType: c.productType, Version: string(ver), CreatedAt: &created, UpdatedAt: &updated}
}

// checkParameters returns the product type of p, or writes a 400.
func checkParameters(rec *recorder, p generated.Parameters, field string) (generated.ProductType, bool) {
	disc, err := p.Discriminator()
	if err != nil || disc == "" {
		rec.json(http.StatusBadRequest, errBody(field+".product_type: required"))
		return "", false
	}
	if disc == string(generated.ProductTypeExtractV2) {
		ep, err := p.AsExtractV2Parameters()
		if err != nil {
			rec.json(http.StatusBadRequest, errBody(field+": "+err.Error()))
			return "", false
		}
		if !checkParseTier(rec, ep.ParseTier, "body", field) {
			return "", false
		}
		raw, _ := json.Marshal(ep.DataSchema)
		if err := schemacheck.Check(raw); err != nil {
			rec.json(http.StatusBadRequest, errBody(field+"."+err.Error()))
			return "", false
		}
	}
	return generated.ProductType(disc), true
}

func (s *Server) createConfig(rec *recorder, r *http.Request, _ *openapi3.Operation) {
	var body generated.ConfigurationCreate
	if err := decodeBody(r, &body); err != nil {
		rec.json(http.StatusBadRequest, errBody(err.Error()))
		return
	}
	pt, ok := checkParameters(rec, body.Parameters, "parameters")
	if !ok {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	project, now := s.project(r), s.now()
	for _, c := range s.st.configOrder {
		if c.projectID == project && c.name == body.Name && c.productType == pt {
			c.parameters, c.updated = body.Parameters, now
			rec.json(http.StatusOK, configView(c))
			return
		}
	}
	c := &savedConfig{id: s.st.newID("cfg-"), name: body.Name, projectID: project, productType: pt,
		parameters: body.Parameters, created: now, updated: now}
	s.st.configs[c.id] = c
	s.st.configOrder = append(s.st.configOrder, c)
	rec.json(http.StatusOK, configView(c))
}

func (s *Server) lookupConfig(rec *recorder, r *http.Request) *savedConfig {
	return lookup(s, rec, r, "config_id", "saved configuration", s.st.configs, func(c *savedConfig) string { return c.projectID })
}

func (s *Server) getConfig(rec *recorder, r *http.Request, _ *openapi3.Operation) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if c := s.lookupConfig(rec, r); c != nil {
		rec.json(http.StatusOK, configView(c))
	}
}

func (s *Server) updateConfig(rec *recorder, r *http.Request, _ *openapi3.Operation) {
	var body generated.ConfigurationUpdate
	if err := decodeBody(r, &body); err != nil {
		rec.json(http.StatusBadRequest, errBody(err.Error()))
		return
	}
	var pt generated.ProductType
	if body.Parameters != nil {
		var ok bool
		if pt, ok = checkParameters(rec, *body.Parameters, "parameters"); !ok {
			return
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.lookupConfig(rec, r)
	if c == nil {
		return
	}
	if body.Name != nil {
		c.name = *body.Name
	}
	if body.Parameters != nil {
		c.parameters, c.productType = *body.Parameters, pt
	}
	c.updated = s.now()
	rec.json(http.StatusOK, configView(c))
}

func (s *Server) deleteConfig(rec *recorder, r *http.Request, _ *openapi3.Operation) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.lookupConfig(rec, r)
	if c == nil {
		return
	}
	delete(s.st.configs, c.id)
	s.st.configOrder = slices.DeleteFunc(s.st.configOrder, func(x *savedConfig) bool { return x == c })
	rec.noContent()
}

func (s *Server) listConfigs(rec *recorder, r *http.Request, _ *openapi3.Operation) {
	q := r.URL.Query()
	size, ok := pageSize(rec, queryInt(q, "page_size"))
	if !ok {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	project := s.project(r)
	var matched []*savedConfig
	for i := len(s.st.configOrder) - 1; i >= 0; i-- { // newest first
		c := s.st.configOrder[i]
		if c.projectID != project ||
			(q.Get("name") != "" && c.name != q.Get("name")) ||
			(len(q["product_type"]) > 0 && !slices.Contains(q["product_type"], string(c.productType))) {
			continue
		}
		matched = append(matched, c)
	}
	// Upserts keep one configuration per name and product type, so every
	// configuration here is already the latest version: latest_only is a
	// no-op in the emulator.
	items, next, ok := offsetPage(rec, matched, q.Get("page_token"), size)
	if !ok {
		return
	}
	resp := generated.ConfigurationQueryResponse{Items: []generated.ConfigurationResponse{}, NextPageToken: next}
	for _, c := range items {
		resp.Items = append(resp.Items, configView(c))
	}
	rec.json(http.StatusOK, resp)
}
