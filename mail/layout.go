package mail

import (
	"bytes"
	"embed"
	"fmt"
	htmltemplate "html/template"
	"strings"
	texttemplate "text/template"
)

// Content is what an e-mail says, in the order a reader needs it.
type Content struct {
	Service   string   // the service's name, at the top ("Grants")
	Greeting  string   // "Dear Ada Lovelace,"; "" for none
	Heading   string   // what happened, in a few words
	Paras     []string // what happened and what to do, one paragraph each
	Action    *Action  // the one link to follow, if any
	After     []string // paragraphs after the link (how long it lasts, what if it was not you)
	Reference string   // "Reference: app_…"; "" for none
	Footer    string   // who sent it and why
}

// Action is the link an e-mail asks the reader to follow.
type Action struct {
	Label string // "Confirm your email address"
	URL   string
}

//go:embed templates/*
var templates embed.FS

var (
	htmlTmpl = htmltemplate.Must(htmltemplate.New("message.html").ParseFS(templates, "templates/message.html"))
	textTmpl = texttemplate.Must(texttemplate.New("message.txt").Funcs(texttemplate.FuncMap{"wrap": wrap}).
			ParseFS(templates, "templates/message.txt"))
)

// Render lays c out as a plain-text part and an HTML part saying the
// same, each link written out in full in both.
func Render(c Content) (text, html string, err error) {
	var t, h bytes.Buffer
	if err := textTmpl.Execute(&t, c); err != nil {
		return "", "", fmt.Errorf("render text: %w", err)
	}
	if err := htmlTmpl.Execute(&h, c); err != nil {
		return "", "", fmt.Errorf("render html: %w", err)
	}
	return t.String(), h.String(), nil
}

// wrap folds a paragraph at 72 characters for the plain-text part (a long
// word, such as a link, stays whole).
func wrap(s string) string {
	var b strings.Builder
	n := 0
	for _, w := range strings.Fields(s) {
		switch {
		case n == 0:
		case n+1+len(w) > 72:
			b.WriteByte('\n')
			n = 0
		default:
			b.WriteByte(' ')
			n++
		}
		b.WriteString(w)
		n += len(w)
	}
	return b.String()
}
