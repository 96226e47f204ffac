package app

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
)

// Body decodes a request body into v. Use cases call it only after the
// checks that come before content (authentication, role, scope, state), so
// a malformed body aimed at someone else's object still gets not_found.
type Body func(v any) error

// NoParams checks that the body of a command without parameters is empty
// or {}; like Body, use cases call it after the checks that come first.
type NoParams func() error

// DecodeStrict decodes one JSON value from r into v, rejecting unknown
// fields, wrong types (a fraction where whole pence are expected), trailing
// data and bodies over a http.MaxBytesReader's limit. Its errors are *Error
// values ready for the client.
//
// A well-formed body whose strings PostgreSQL cannot store (a NUL
// character, in a key or a value) is refused with 422 validation_failed
// naming each such field by its path, so no use case ever hands such text
// to the database.
func DecodeStrict(r io.Reader, v any) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return decodeError(err)
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return decodeError(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return Malformed("The body must hold a single JSON value", nil)
	}
	return checkJSONText(raw)
}

// applyPatch decodes body as a JSON object whose top-level keys replace
// those of current, then decodes the result strictly into dst. It returns
// the changed keys.
func applyPatch(body Body, current any, dst any) ([]string, error) {
	var changes map[string]json.RawMessage
	if err := body(&changes); err != nil {
		return nil, err
	}
	if changes == nil {
		return nil, Malformed("The body must be a JSON object", nil)
	}
	base, err := json.Marshal(current)
	if err != nil {
		return nil, fmt.Errorf("encode current: %w", err)
	}
	var merged map[string]json.RawMessage
	if err := json.Unmarshal(base, &merged); err != nil {
		return nil, fmt.Errorf("decode current: %w", err)
	}
	for k, v := range changes {
		merged[k] = v
	}
	raw, err := json.Marshal(merged)
	if err != nil {
		return nil, fmt.Errorf("encode merged: %w", err)
	}
	if err := DecodeStrict(bytes.NewReader(raw), dst); err != nil {
		return nil, err
	}
	return sortedKeys(changes), nil
}

func decodeError(err error) error {
	var (
		mbe *http.MaxBytesError
		ute *json.UnmarshalTypeError
		se  *json.SyntaxError
	)
	switch {
	case errors.As(err, &mbe):
		return tooLarge(fmt.Sprintf("The request body must be %d bytes or less", mbe.Limit))
	case errors.Is(err, io.EOF):
		return Malformed("The request body is empty; send a JSON object", nil)
	case errors.As(err, &ute):
		field := ute.Field
		if field == "" {
			return Malformed("The body must be a JSON object", nil)
		}
		want := ute.Type.String()
		msg := "Wrong type: expected " + jsonKind(want)
		if ute.Value == "number" && strings.Contains(want, "int") {
			msg = "Enter a whole number"
		}
		return Malformed("The request body has a value of the wrong type", map[string]string{field: msg})
	case errors.As(err, &se), errors.Is(err, io.ErrUnexpectedEOF):
		return Malformed("The request body is not valid JSON", nil)
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return Malformed("The request body has a field this endpoint does not accept", map[string]string{name: "Unknown field"})
	default:
		// Errors from a type's own UnmarshalJSON (durations, times).
		return Malformed("The request body could not be read: "+strings.TrimPrefix(err.Error(), "json: "), nil)
	}
}

func jsonKind(goType string) string {
	switch {
	case strings.Contains(goType, "int"):
		return "a whole number"
	case goType == "string", strings.HasSuffix(goType, ".Time"):
		return "a string"
	case goType == "bool":
		return "true or false"
	case strings.HasPrefix(goType, "[]"):
		return "an array"
	default:
		return "an object"
	}
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// isBodyTooLarge reports whether err came from a http.MaxBytesReader limit.
func isBodyTooLarge(err error) bool {
	var mbe *http.MaxBytesError
	return errors.As(err, &mbe)
}
