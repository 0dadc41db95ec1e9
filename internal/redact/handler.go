package redact

import (
	"context"
	"log/slog"
)

// NewHandler returns a handler that scrubs every log record before the user's handler sees it:
// message, attribute values, errors and groups alike.
func NewHandler(next slog.Handler, s Scrubber) slog.Handler { return handler{next: next, s: s} }

type handler struct {
	next slog.Handler
	s    Scrubber
}

func (h handler) Enabled(ctx context.Context, l slog.Level) bool { return h.next.Enabled(ctx, l) }

func (h handler) Handle(ctx context.Context, r slog.Record) error {
	out := slog.NewRecord(r.Time, r.Level, h.s.String(r.Message), r.PC)
	r.Attrs(func(a slog.Attr) bool {
		out.AddAttrs(h.attr(a))
		return true
	})
	return h.next.Handle(ctx, out)
}

func (h handler) attr(a slog.Attr) slog.Attr {
	a.Key = h.s.String(a.Key)
	v := a.Value.Resolve()
	switch v.Kind() {
	case slog.KindString:
		return slog.String(a.Key, h.s.String(v.String()))
	case slog.KindGroup:
		attrs := v.Group()
		out := make([]slog.Attr, len(attrs))
		for i, g := range attrs {
			out[i] = h.attr(g)
		}
		return slog.Attr{Key: a.Key, Value: slog.GroupValue(out...)}
	case slog.KindAny:
		if text := v.String(); h.s.Contains(text) {
			return slog.String(a.Key, h.s.String(text))
		}
	}
	return slog.Attr{Key: a.Key, Value: v}
}

func (h handler) WithAttrs(attrs []slog.Attr) slog.Handler {
	out := make([]slog.Attr, len(attrs))
	for i, a := range attrs {
		out[i] = h.attr(a)
	}
	return handler{next: h.next.WithAttrs(out), s: h.s}
}

func (h handler) WithGroup(name string) slog.Handler {
	return handler{next: h.next.WithGroup(h.s.String(name)), s: h.s}
}
