package app_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/civicgrants/grants/app"
)

// fuzzBody has a field of each type request bodies carry.
type fuzzBody struct {
	Name    string            `json:"name"`
	Pence   int64             `json:"pence"`
	Count   *int              `json:"count"`
	Yes     bool              `json:"yes"`
	When    *time.Time        `json:"when"`
	Tags    []string          `json:"tags"`
	Answers map[string]any    `json:"answers"`
	Meta    map[string]string `json:"meta"`
	Nested  *struct {
		Line1 string   `json:"line1"`
		Items []string `json:"items"`
	} `json:"nested"`
}

// FuzzDecodeStrict decodes any bytes as a request body: it is accepted, or
// refused with a client error (400, 413 or 422) the API can show; what is
// accepted holds no text PostgreSQL cannot store.
func FuzzDecodeStrict(f *testing.F) {
	for _, s := range []string{
		`{"name":"Bermondsey","pence":150000,"tags":["a"],"answers":{"q":[1,{"x":null}]}}`,
		`{"name":"\u0000"}`, `{"answers":{"k\u0000ey":"v"}}`, `{"pence":1.5}`, `{"pence":"1"}`,
		`{"unknown":1}`, `{} {}`, `[]`, `null`, ``, `{"when":"yesterday"}`, `{"nested":{"items":["\ud800"]}}`,
		"{\"name\":\"a\x00b\"}", `{"count":1e400}`, strings.Repeat("[", 10000),
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		var v fuzzBody
		err := app.DecodeStrict(bytes.NewReader(raw), &v)
		if err != nil {
			var e *app.Error
			if !errors.As(err, &e) {
				t.Fatalf("DecodeStrict(%q) = %v: not an *app.Error", raw, err)
			}
			if s := e.Kind.Status(); s != 400 && s != 413 && s != 422 {
				t.Fatalf("DecodeStrict(%q) = %d %v: not a client error", raw, s, err)
			}
			if e.Message == "" {
				t.Fatalf("DecodeStrict(%q): an error without a message", raw)
			}
			return
		}
		out, err := json.Marshal(v)
		if err != nil {
			t.Fatalf("an accepted body does not encode again: %v", err)
		}
		if bytes.Contains(out, []byte(`\u0000`)) {
			t.Fatalf("DecodeStrict(%q) accepted a NUL: %s", raw, out)
		}
	})
}
