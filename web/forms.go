package web

import (
	"bytes"
	"encoding/json"
	"net/url"
	"slices"
	"sort"
	"strings"

	"github.com/gin-gonic/gin"

	"github.com/civicgrants/grants/app"
)

// Form is what the visitor typed and what is wrong with it. Pages re-render
// with the same Form, so nothing typed is lost, with the GOV.UK error
// summary (Errors) and each field's own message (Error).
type Form struct {
	Values url.Values
	errs   map[string]string
	order  []string
}

// FieldError is one line of the error summary; Field is the id of the
// input it links to ("" for a problem with the whole form).
type FieldError struct {
	Field   string
	Message string
}

func newForm() *Form { return &Form{Values: url.Values{}, errs: map[string]string{}} }

// postedForm is the submitted form (already parsed by csrfMiddleware).
func postedForm(c *gin.Context) *Form {
	f := newForm()
	if c.Request.PostForm != nil {
		for k, v := range c.Request.PostForm {
			if k != csrfField {
				f.Values[k] = v
			}
		}
	}
	return f
}

// Get is the value of a field, trimmed of surrounding space.
func (f *Form) Get(name string) string { return strings.TrimSpace(f.Values.Get(name)) }

// Raw is the value as typed (for textareas, where spacing matters).
func (f *Form) Raw(name string) string { return f.Values.Get(name) }

// All is every value of a repeated field (checkboxes).
func (f *Form) All(name string) []string { return f.Values[name] }

// Checked reports whether value is chosen in a radio or checkbox field.
func (f *Form) Checked(name, value string) bool { return slices.Contains(f.Values[name], value) }

// Set prefills a field.
func (f *Form) Set(name, value string) *Form { f.Values.Set(name, value); return f }

// Error is the message for a field, if any.
func (f *Form) Error(name string) string { return f.errs[name] }

// Fail records a problem with a field ("" for the whole form); the first
// message for a field wins.
func (f *Form) Fail(name, msg string) {
	if _, ok := f.errs[name]; ok {
		return
	}
	f.errs[name] = msg
	f.order = append(f.order, name)
}

// Invalid reports whether any problem was recorded.
func (f *Form) Invalid() bool { return len(f.order) > 0 }

// Errors lists the problems in the order recorded, for the error summary.
func (f *Form) Errors() []FieldError {
	out := make([]FieldError, 0, len(f.order))
	for _, n := range f.order {
		out = append(out, FieldError{Field: n, Message: f.errs[n]})
	}
	return out
}

// FromApp records a use-case error on the form and reports whether it is
// one to show there (invalid input, a conflict, a refused state change, a
// rate limit). Field paths of the use case become form field names through
// rename (missing: the same name); fields come in the order of order (form
// field names or the use case's paths), then alphabetically.
func (f *Form) FromApp(err error, rename map[string]string, order ...string) bool {
	e, ok := app.AsError(err)
	if !ok {
		return false
	}
	switch e.Kind {
	case app.KindInvalid, app.KindConflict, app.KindRateLimited, app.KindMalformed, app.KindTooLarge, app.KindUnsupported:
	default:
		return false
	}
	if len(e.Fields) == 0 {
		f.Fail("", e.Message)
		return true
	}
	// Each field under its form name, ordered by order (form names, or
	// the use case's paths), then alphabetically by form name.
	type field struct {
		name, msg string
		rank      int
	}
	fields := make([]field, 0, len(e.Fields))
	for k, msg := range e.Fields {
		name := k
		if n, ok := rename[k]; ok {
			name = n
		}
		rank := slices.Index(order, name)
		if rank < 0 {
			rank = slices.Index(order, k) // an order given in the use case's paths
		}
		if rank < 0 {
			rank = len(order)
		}
		fields = append(fields, field{name, msg, rank})
	}
	sort.Slice(fields, func(i, j int) bool {
		ri, rj := fields[i].rank, fields[j].rank
		if ri != rj {
			return ri < rj
		}
		return fields[i].name < fields[j].name
	})
	for _, fl := range fields {
		f.Fail(fl.name, fl.msg)
	}
	return true
}

// jsonBody hands v to a use case as if it were a JSON request body, so the
// web and the API share every rule of decoding and validation.
func jsonBody(v any) app.Body {
	raw, err := json.Marshal(v)
	return func(dst any) error {
		if err != nil {
			return err
		}
		return app.DecodeStrict(bytes.NewReader(raw), dst)
	}
}

// noParams is an empty command body.
func noParams() error { return nil }
