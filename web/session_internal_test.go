package web

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// Where sign-in leads back to: a path on this site, whatever the encoding
// of what tries to leave it.
func TestSafeNext(t *testing.T) {
	t.Parallel()
	for _, next := range []string{
		"/dashboard", "/applications/app_123/sections/about", "/rounds/rnd_1?tab=2", "/payments/p_1#approve",
		"/applications/app_1/documents?page=2&x=%2F", "/", "/a.b/c..d", "/%7Euser", "/@someone",
	} {
		require.Equal(t, next, safeNext(next), "kept: %q", next)
	}
	for _, next := range []string{
		"", "dashboard", "https://evil.example/", "http:evil.example", "https:evil.example", "javascript:alert(1)",
		"//evil.example", "///evil.example", "////evil.example", "/\\evil.example", "\\/evil.example", "\\\\evil.example",
		"/./\\evil.example", "/../\\evil.example", "/.\\evil.example", "/a/../\\evil.example", "/.//evil.example",
		"/a//evil.example", "%2F%2Fevil.example", "/%2F%2Fevil.example", "/%2Fevil.example", "/%5Cevil.example",
		"/%5C%5Cevil.example", "/.%2F%5Cevil.example", "/%252F%252Fevil.example", "/%25252F%25252Fevil.example",
		"/%255Cevil.example", "\t//evil.example", "/\t/evil.example", "/\n/evil.example", "/\r/evil.example",
		"/%09/evil.example", "/%0A/evil.example", "/%00/evil.example", " //evil.example", "/ /evil.example",
		"/\x7f/evil.example", "/\u0085/evil.example", "/%ZZ", "/\xff",
		"/%2F@evil.example", "/%2e/%5Cevil.example", "/%2e%2e/%5cevil.example",
		"/" + string(make([]byte, maxNextLen)),
	} {
		require.Equal(t, "/dashboard", safeNext(next), "refused: %q", next)
	}
}
