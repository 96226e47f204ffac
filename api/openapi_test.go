package api_test

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/gin-gonic/gin"
	"github.com/stretchr/testify/require"

	"github.com/civicgrants/grants/api"
)

// httpMethods are the keys of an OpenAPI path item that are operations.
var httpMethods = []string{"get", "put", "post", "delete", "options", "head", "patch", "trace"}

var ginParam = regexp.MustCompile(`:([A-Za-z0-9_]+)`)

func loadOpenAPI(t *testing.T) map[string]any {
	t.Helper()
	raw, err := os.ReadFile("openapi.json")
	require.NoError(t, err)
	var doc map[string]any
	require.NoError(t, json.Unmarshal(raw, &doc), "openapi.json is not valid JSON")
	return doc
}

// documentedOperations returns "METHOD /path" → operation for every
// operation in the document.
func documentedOperations(t *testing.T, doc map[string]any) map[string]map[string]any {
	t.Helper()
	paths, ok := doc["paths"].(map[string]any)
	require.True(t, ok, "paths must be an object")
	ops := map[string]map[string]any{}
	for p, item := range paths {
		pi, ok := item.(map[string]any)
		require.True(t, ok, "path item %s must be an object", p)
		for _, m := range httpMethods {
			if o, ok := pi[m]; ok {
				op, ok := o.(map[string]any)
				require.True(t, ok, "%s %s must be an object", m, p)
				ops[strings.ToUpper(m)+" "+p] = op
			}
		}
	}
	return ops
}

func TestOpenAPIMatchesRoutes(t *testing.T) {
	t.Parallel()
	r := gin.New()
	api.Register(r.Group("/api/v1"), nil, slog.New(slog.DiscardHandler))

	routes := map[string]bool{}
	for _, rt := range r.Routes() {
		p, ok := strings.CutPrefix(rt.Path, "/api/v1")
		if !ok {
			continue
		}
		p = ginParam.ReplaceAllString(p, "{$1}")
		routes[rt.Method+" "+p] = true
	}
	require.NotEmpty(t, routes)

	documented := documentedOperations(t, loadOpenAPI(t))

	var missing, extra []string
	for k := range routes {
		if _, ok := documented[k]; !ok {
			missing = append(missing, k)
		}
	}
	for k := range documented {
		if !routes[k] {
			extra = append(extra, k)
		}
	}
	slices.Sort(missing)
	slices.Sort(extra)
	require.True(t, len(missing) == 0 && len(extra) == 0,
		"api/openapi.json does not match the routes\nregistered but not documented: %v\ndocumented but not registered: %v", missing, extra)
}

func TestOpenAPIDocumentIsWellFormed(t *testing.T) {
	t.Parallel()
	doc := loadOpenAPI(t)

	version, _ := doc["openapi"].(string)
	require.True(t, strings.HasPrefix(version, "3."), "openapi version %q must be 3.x", version)
	info, ok := doc["info"].(map[string]any)
	require.True(t, ok, "info must be an object")
	require.NotEmpty(t, info["title"])
	require.NotEmpty(t, info["version"])

	seen := map[string]string{}
	var problems []string
	for key, op := range documentedOperations(t, doc) {
		opID, _ := op["operationId"].(string)
		if opID == "" {
			problems = append(problems, key+": no operationId")
		} else if prev, dup := seen[opID]; dup {
			problems = append(problems, fmt.Sprintf("%s: operationId %q also used by %s", key, opID, prev))
		} else {
			seen[opID] = key
		}
		if resp, _ := op["responses"].(map[string]any); len(resp) == 0 {
			problems = append(problems, key+": no responses")
		}
	}
	slices.Sort(problems)
	require.Empty(t, problems)

	var unresolved []string
	walkRefs(doc, func(ref string) {
		if !resolves(doc, ref) {
			unresolved = append(unresolved, ref)
		}
	})
	slices.Sort(unresolved)
	require.Empty(t, slices.Compact(unresolved), "$refs that do not resolve inside the document")
}

// walkRefs calls fn with every $ref string in v.
func walkRefs(v any, fn func(string)) {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			if s, ok := e.(string); ok && k == "$ref" {
				fn(s)
				continue
			}
			walkRefs(e, fn)
		}
	case []any:
		for _, e := range x {
			walkRefs(e, fn)
		}
	}
}

// resolves reports whether ref is a local JSON pointer ("#/…") naming a
// value in doc.
func resolves(doc map[string]any, ref string) bool {
	ptr, ok := strings.CutPrefix(ref, "#/")
	if !ok {
		return false
	}
	var cur any = doc
	for _, tok := range strings.Split(ptr, "/") {
		tok = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
		m, ok := cur.(map[string]any)
		if !ok {
			return false
		}
		if cur, ok = m[tok]; !ok {
			return false
		}
	}
	return true
}
