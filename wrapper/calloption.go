package wrapper

import "slices"

// CallOption tunes one call. An option a call does not use is ignored; each
// option's comment says which calls read it.
type CallOption func(*callSettings)

type callSettings struct {
	expand []Expand
}

func newCallSettings(opts []CallOption) callSettings {
	var s callSettings
	for _, o := range opts {
		if o != nil {
			o(&s)
		}
	}
	return s
}

// WithExpand asks for optional parts of a job (ExpandConfiguration,
// ExpandExtractMetadata, ExpandUsage). Read by Rows, which streams the
// per-row metadata beside the rows when given ExpandExtractMetadata.
func WithExpand(e ...Expand) CallOption {
	return func(s *callSettings) { s.expand = append(s.expand, e...) }
}

func (s callSettings) expands(e Expand) bool { return slices.Contains(s.expand, e) }
