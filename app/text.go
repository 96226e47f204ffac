package app

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode/utf8"
)

// textProblem is the field message for text PostgreSQL cannot store.
const textProblem = "Remove the invalid character (a NUL character or bytes that are not UTF-8 text)"

// StorableText reports whether PostgreSQL can store s as text or inside
// jsonb: valid UTF-8 with no NUL character.
func StorableText(s string) bool {
	return utf8.ValidString(s) && !strings.ContainsRune(s, 0)
}

// CheckParams refuses, with 422 validation_failed naming each parameter,
// query or form parameters (names or values) that are not storable text.
// It is the one check for text that arrives outside a JSON body: the API's
// query strings and the web's forms and query strings.
func CheckParams(params map[string][]string) error {
	fields := map[string]string{}
	for k, vs := range params {
		name := k
		if !StorableText(k) {
			name = strings.ToValidUTF8(strings.ReplaceAll(k, "\x00", ""), "")
			fields[name] = textProblem
			continue
		}
		for _, v := range vs {
			if !StorableText(v) {
				fields[name] = textProblem
				break
			}
		}
	}
	if len(fields) > 0 {
		return Invalid(fields)
	}
	return nil
}

// checkJSONText walks one decoded-valid JSON document and refuses, with
// 422 validation_failed, any string (key or value) holding a NUL
// character, which neither text nor jsonb columns can store; each field is
// named by its path (name, answers.summary, partners[0].name). Invalid
// UTF-8 and lone surrogates need no check: the decoder has already turned
// them into U+FFFD.
func checkJSONText(raw []byte) error {
	if bytes.IndexByte(raw, '\\') < 0 && bytes.IndexByte(raw, 0) < 0 {
		return nil // no escape and no raw NUL: nothing to find
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	fields := map[string]string{}
	var walk func(path string) error
	walk = func(path string) error {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		switch t := tok.(type) {
		case json.Delim:
			switch t {
			case '{':
				for dec.More() {
					kt, err := dec.Token()
					if err != nil {
						return err
					}
					key, _ := kt.(string)
					p := joinPath(path, key)
					if strings.ContainsRune(key, 0) {
						fields[joinPath(path, strings.ReplaceAll(key, "\x00", ""))] = textProblem
					}
					if err := walk(p); err != nil {
						return err
					}
				}
			case '[':
				for i := 0; dec.More(); i++ {
					if err := walk(path + "[" + strconv.Itoa(i) + "]"); err != nil {
						return err
					}
				}
			}
			_, err := dec.Token() // the closing delimiter
			return err
		case string:
			if strings.ContainsRune(t, 0) {
				name := path
				if name == "" {
					name = "body"
				}
				fields[name] = textProblem
			}
		}
		return nil
	}
	if err := walk(""); err != nil && !errors.Is(err, io.EOF) {
		return nil // not ours to report: the strict decoder already accepted it
	}
	if len(fields) > 0 {
		return Invalid(fields)
	}
	return nil
}

func joinPath(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// storableJSON returns raw as it is when PostgreSQL can store it as jsonb,
// or else re-encoded with U+FFFD in place of every NUL character in its
// strings and keys (jsonb refuses \u0000) and of every byte that is not
// UTF-8 (the database refuses those). Numbers keep their digits.
func storableJSON(raw []byte) ([]byte, error) {
	if utf8.Valid(raw) && checkJSONText(raw) == nil {
		return raw, nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("decode: %w", err)
	}
	clean := func(s string) string { return strings.ReplaceAll(s, "\x00", "\uFFFD") }
	var walk func(any) any
	walk = func(v any) any {
		switch t := v.(type) {
		case string:
			return clean(t)
		case []any:
			for i := range t {
				t[i] = walk(t[i])
			}
		case map[string]any:
			out := make(map[string]any, len(t))
			for k, x := range t {
				out[clean(k)] = walk(x)
			}
			return out
		}
		return v
	}
	return json.Marshal(walk(v))
}
