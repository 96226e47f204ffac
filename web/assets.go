package web

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"

	"github.com/gin-gonic/gin"
)

// static holds our own files and, under vendor/, what `make web-assets`
// copies from the pinned govuk-frontend package (not committed; without it
// pages still work, unstyled).
//
//go:embed static
var staticFS embed.FS

// asset is one static file, served at its content-hashed URL (cached for a
// year) and at its plain name (for URLs inside govuk-frontend's CSS, such as
// /assets/images/favicon.ico; cached for an hour).
type asset struct {
	body        []byte
	contentType string
	hashed      string // /assets/app.1a2b3c4d5e.css
}

type assets struct {
	byName   map[string]*asset // logical name: app.css, images/favicon.ico
	byHashed map[string]*asset // hashed URL path without /assets/
}

// loadAssets reads every static file once, naming vendor files without
// their vendor/ prefix, and adds govuk-init.js, which imports the hashed
// govuk-frontend module and starts its components.
func loadAssets() (*assets, error) {
	as := &assets{byName: map[string]*asset{}, byHashed: map[string]*asset{}}
	err := fs.WalkDir(staticFS, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.HasPrefix(d.Name(), ".") {
			return err
		}
		b, err := staticFS.ReadFile(p)
		if err != nil {
			return err
		}
		name := strings.TrimPrefix(strings.TrimPrefix(p, "static/"), "vendor/")
		as.add(name, b)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("load static assets: %w", err)
	}
	init := "// Starts GOV.UK Frontend's components.\n"
	if gv, ok := as.byName["govuk-frontend.min.js"]; ok {
		init += fmt.Sprintf("import { initAll } from %q;\ninitAll();\n", gv.hashed)
	}
	as.add("govuk-init.js", []byte(init))
	return as, nil
}

func (as *assets) add(name string, b []byte) {
	sum := sha256.Sum256(b)
	ext := path.Ext(name)
	hashed := strings.TrimSuffix(name, ext) + "." + hex.EncodeToString(sum[:5]) + ext
	ct := mime.TypeByExtension(ext)
	if ct == "" {
		ct = "application/octet-stream"
	}
	a := &asset{body: b, contentType: ct, hashed: "/assets/" + hashed}
	as.byName[name] = a
	as.byHashed[hashed] = a
}

// url is the template function `asset`: the hashed URL of a static file.
// An unknown name (govuk-frontend not installed) gives its plain URL, which
// answers 404.
func (as *assets) url(name string) string {
	if a, ok := as.byName[name]; ok {
		return a.hashed
	}
	return "/assets/" + name
}

// serve answers GET /assets/*name.
func (as *assets) serve(c *gin.Context) {
	name := strings.TrimPrefix(c.Param("name"), "/")
	if a, ok := as.byHashed[name]; ok {
		c.Header("Cache-Control", "public, max-age=31536000, immutable")
		c.Data(http.StatusOK, a.contentType, a.body)
		return
	}
	if a, ok := as.byName[name]; ok {
		c.Header("Cache-Control", "public, max-age=3600")
		c.Data(http.StatusOK, a.contentType, a.body)
		return
	}
	c.Status(http.StatusNotFound)
}
