// Package schema validates 360Giving data against the official schema
// of the 360Giving Data Standard (1.4.x, CC BY 4.0, the JSON files beside
// this one), with format checking on. Tests use it.
package schema

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

var (
	//go:embed 360-giving-package-schema.json
	packageSchema []byte
	//go:embed 360-giving-schema.json
	grantSchema []byte
)

// The package schema's address, and the addresses the grant schema is
// known by (the package refers to 1.4.2; the file calls itself 1.4.3).
const (
	packageURL = "https://raw.githubusercontent.com/ThreeSixtyGiving/standard/1.4.3/schema/360-giving-package-schema.json"
	grantURL   = "https://raw.githubusercontent.com/ThreeSixtyGiving/standard/1.4.3/schema/360-giving-schema.json"
	grantRef   = "https://raw.githubusercontent.com/ThreeSixtyGiving/standard/1.4.2/schema/360-giving-schema.json"
)

// Compile returns the package schema, ready to validate, formats asserted.
func Compile() (*jsonschema.Schema, error) {
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	pkg, err := jsonschema.UnmarshalJSON(bytes.NewReader(packageSchema))
	if err != nil {
		return nil, fmt.Errorf("package schema: %w", err)
	}
	if err := c.AddResource(packageURL, pkg); err != nil {
		return nil, fmt.Errorf("package schema: %w", err)
	}
	for _, url := range []string{grantURL, grantRef} {
		var doc map[string]any
		if err := json.Unmarshal(grantSchema, &doc); err != nil {
			return nil, fmt.Errorf("grant schema: %w", err)
		}
		doc["$id"] = url
		g, err := jsonschema.UnmarshalJSON(bytes.NewReader(mustJSON(doc)))
		if err != nil {
			return nil, fmt.Errorf("grant schema: %w", err)
		}
		if err := c.AddResource(url, g); err != nil {
			return nil, fmt.Errorf("grant schema: %w", err)
		}
	}
	return c.Compile(packageURL)
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

// Validate checks a 360Giving JSON data package.
func Validate(data []byte) error {
	s, err := Compile()
	if err != nil {
		return err
	}
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		return fmt.Errorf("not JSON: %w", err)
	}
	return s.Validate(doc)
}
