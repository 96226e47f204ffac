package main

// The browser-test harness: journeys through the web UI in headless
// Chromium, driven with chromedp. Every page a journey reaches is checked
// with axe-core (WCAG 2.2 A and AA: no violation allowed), has its console
// checked for errors and is saved as a full-page screenshot under
// test-artifacts/browser/<test>/<NN>-<slug>.png.
//
// Chromium is Debian's (`make chromium`); axe-core and GOV.UK Frontend come
// from `make web-assets`. Without them the browser tests skip, unless
// GRANTS_BROWSER_TESTS=require (as `make test` sets it), when they fail.
//
// A journey reads as a person would use the site:
//
//	b := newBrowserPage(t, webRoot(s))
//	b.visit("/sign-in")
//	b.fillByLabel("Email address", "someone@example.org")
//	b.fillByLabel("Password", apptest.Password)
//	b.clickButton("Sign in")
//	b.expectHeading("Dashboard")
//
// Methods that load a page (visit, clickLink and clickButton)
// wait for it to load completely and check it (checkPage) before they
// return. A failure reports the page's address, status, h1 and error
// summary, and saves a screenshot of it.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"
)

const (
	// browserTestsEnv set to "require" makes a missing browser, axe-core
	// or GOV.UK Frontend a failure rather than a reason to skip.
	browserTestsEnv = "GRANTS_BROWSER_TESTS"
	// chromiumPath is where Debian's chromium package puts the browser.
	chromiumPath = "/usr/bin/chromium"

	startTimeout  = 30 * time.Second // the browser starts
	actionTimeout = 10 * time.Second // one action: a click, typing, a query
	loadTimeout   = 20 * time.Second // a page loads after a click or visit
	axeTimeout    = 30 * time.Second // axe checks one page
	pollInterval  = 25 * time.Millisecond
)

// axeTags are the rule sets axe runs: WCAG 2.0, 2.1 and 2.2, levels A and AA.
var axeTags = []string{"wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"}

// browserPrereqs are the files a browser test needs.
type browserPrereqs struct {
	root     string // the repository
	chromium string
	axe      string // axe.min.js
}

// needBrowser finds Chromium, axe-core and the vendored GOV.UK Frontend,
// and skips the test when one is missing (fails it under
// GRANTS_BROWSER_TESTS=require). Call it before starting anything costly.
func needBrowser(t *testing.T) browserPrereqs {
	t.Helper()
	root, err := repoRoot()
	if err != nil {
		t.Fatal(err)
	}
	pre := browserPrereqs{root: root, axe: filepath.Join(root, "node_modules", "axe-core", "axe.min.js")}
	var missing []string
	if pre.chromium = findChromium(); pre.chromium == "" {
		missing = append(missing, "Chromium ("+chromiumPath+"; install it with `make chromium`)")
	}
	if _, err := os.Stat(pre.axe); err != nil {
		missing = append(missing, "axe-core ("+pre.axe+"; install it with `make web-assets`)")
	}
	if _, err := os.Stat(filepath.Join(root, "web", "static", "vendor", "govuk-frontend.min.css")); err != nil {
		missing = append(missing, "GOV.UK Frontend in web/static/vendor (copy it with `make web-assets`, then rebuild)")
	}
	if len(missing) > 0 {
		msg := "browser tests need " + strings.Join(missing, " and ")
		if os.Getenv(browserTestsEnv) == "require" {
			t.Fatal(msg + " (" + browserTestsEnv + "=require)")
		}
		t.Skip(msg + "; skipping (set " + browserTestsEnv + "=require to fail instead)")
	}
	return pre
}

func findChromium() string {
	if fi, err := os.Stat(chromiumPath); err == nil && !fi.IsDir() && fi.Mode()&0o111 != 0 {
		return chromiumPath
	}
	p, _ := exec.LookPath("chromium")
	return p
}

// repoRoot is the directory of go.mod above the working directory (the
// package's, cmd/grants, under go test).
func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod above the working directory")
		}
		dir = parent
	}
}

// webRoot is the web UI's address on a stack.
func webRoot(s *stack) string { return strings.TrimSuffix(s.base, "/api/v1") }

// browserOption changes how newBrowserPage sets up the browser.
type browserOption func(*browserConfig)

type browserConfig struct {
	noJS          bool
	width, height int
}

// withoutJavaScript turns the page's scripts off, to check a journey works
// without them (the harness's own evaluation still works).
func withoutJavaScript() browserOption { return func(c *browserConfig) { c.noJS = true } }

// browserPage is one browser tab, running its own headless Chromium,
// pointed at a web root. Its methods fail the test (with the page's
// details) rather than return errors.
type browserPage struct {
	t      *testing.T
	ctx    context.Context // the tab's; actions derive timeouts from it
	base   string          // the web root, without a trailing slash
	axe    string          // axe-core's source
	shots  string          // the test's screenshot directory
	shotNo *int            // the last screenshot's number, shared by the test's pages
	marks  int             // data-test-target values handed out
	noJS   bool            // the page's scripts are off

	mu      sync.Mutex
	console []chromedp.ConsoleMessage // not yet looked at by checkConsole
}

// newBrowserPage starts Chromium with a fresh profile and opens a tab on
// base (nothing is loaded yet: call visit). The browser stops when the
// test ends.
func newBrowserPage(t *testing.T, base string, opts ...browserOption) *browserPage {
	t.Helper()
	pre := needBrowser(t)
	cfg := browserConfig{width: 1280, height: 900}
	for _, o := range opts {
		o(&cfg)
	}
	axe, err := os.ReadFile(pre.axe)
	if err != nil {
		t.Fatal(err)
	}
	shots, shotNo := screenshotDir(t, pre.root)
	// Chromium can still be writing to its profile for a moment after it
	// is told to stop, which t.TempDir's cleanup would report as a
	// failure; this directory is removed best effort instead.
	profile, err := os.MkdirTemp("", "grants-browser-profile-")
	if err != nil {
		t.Fatal(err)
	}

	out := &lockedBuffer{}
	allocOpts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(pre.chromium),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("lang", "en-GB"),
		chromedp.UserDataDir(profile),
		chromedp.WindowSize(cfg.width, cfg.height),
		chromedp.CombinedOutput(out),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), allocOpts...)
	ctx, cancelTab := chromedp.NewContext(allocCtx)
	p := &browserPage{t: t, ctx: ctx, base: strings.TrimRight(base, "/"), axe: string(axe), shots: shots, shotNo: shotNo, noJS: cfg.noJS}

	consoleDone := make(chan struct{})
	stop := func() {
		cancelTab()
		cancelAlloc() // waits for the browser to exit
		<-consoleDone
		for range 20 {
			if os.RemoveAll(profile) == nil {
				break
			}
			time.Sleep(50 * time.Millisecond)
		}
	}

	// The first action starts the browser, and binds its life to ctx, so it
	// runs without a deadline of its own but is waited for with one.
	started := make(chan error, 1)
	go func() { started <- chromedp.Do(ctx) }()
	select {
	case err = <-started:
	case <-time.After(startTimeout):
		err = fmt.Errorf("not started within %s", startTimeout)
	}
	if err != nil {
		close(consoleDone)
		stop()
		t.Fatalf("start Chromium (%s): %v\n%s", pre.chromium, err, out.String())
	}
	if cfg.noJS {
		if _, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled,
			emulation.SetScriptExecutionDisabledParams{Value: true}); err != nil {
			close(consoleDone)
			stop()
			t.Fatalf("turn JavaScript off: %v", err)
		}
	}

	msgs := chromedp.Console(ctx)
	go func() {
		defer close(consoleDone)
		for m, err := range msgs {
			if err != nil {
				return
			}
			p.mu.Lock()
			p.console = append(p.console, m)
			p.mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		p.checkConsole() // what the last page logged
		stop()
		if t.Failed() {
			t.Logf("screenshots: %s", shots)
		}
	})
	return p
}

// scripts turns the page's scripts on or off.
func (p *browserPage) scripts(on bool) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, actionTimeout)
	defer cancel()
	if _, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled,
		emulation.SetScriptExecutionDisabledParams{Value: !on}); err != nil {
		p.t.Fatalf("turn scripts %s: %v", map[bool]string{true: "on", false: "off"}[on], err)
	}
}

// shotDirs numbers each test's screenshots, across its browser pages.
var shotDirs = struct {
	sync.Mutex
	last map[string]*int // by directory
}{last: map[string]*int{}}

// screenshotDir is test-artifacts/browser/<test>/ (a subtest's within its
// parent's), emptied when the test's first page opens.
func screenshotDir(t *testing.T, root string) (string, *int) {
	t.Helper()
	dir := filepath.Join(root, "test-artifacts", "browser", filepath.FromSlash(notFileName.ReplaceAllString(t.Name(), "_")))
	shotDirs.Lock()
	defer shotDirs.Unlock()
	if n, ok := shotDirs.last[dir]; ok {
		return dir, n
	}
	// Not the subtests' directories: they may be running.
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if !e.IsDir() {
			if err := os.Remove(filepath.Join(dir, e.Name())); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	n := new(int)
	shotDirs.last[dir] = n
	return dir, n
}

// lockedBuffer collects the browser's output, written from another
// goroutine.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// ---- Running actions and scripts.

// do runs actions on the tab within d.
func (p *browserPage) do(d time.Duration, actions ...chromedp.Action[chromedp.Void]) error {
	ctx, cancel := context.WithTimeout(p.ctx, d)
	defer cancel()
	return chromedp.Do(ctx, actions...)
}

// eval evaluates a JavaScript expression (a promise is awaited) within d
// and decodes its JSON value into T.
func eval[T any](p *browserPage, d time.Duration, expr string) (T, error) {
	ctx, cancel := context.WithTimeout(p.ctx, d)
	defer cancel()
	return chromedp.Run(ctx, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
}

// call calls a JavaScript function expression with args (sent as JSON) and
// decodes its result into T, failing the test on an error.
func call[T any](p *browserPage, fn string, args ...any) T {
	p.t.Helper()
	enc := make([]string, len(args))
	for i, a := range args {
		b, err := json.Marshal(a)
		if err != nil {
			p.t.Fatal(err)
		}
		enc[i] = string(b)
	}
	v, err := eval[T](p, actionTimeout, "("+fn+")("+strings.Join(enc, ", ")+")")
	if err != nil {
		p.fatalf("script failed: %v", err)
	}
	return v
}

// jsPrelude is a prelude of helpers the finder scripts share.
const jsPrelude = `
const norm = (s) => (s || '').replace(/\s+/g, ' ').trim();
// Shown to people: laid out, not hidden, and not hidden from assistive
// technology either (a visually hidden, aria-hidden default button, say,
// is pressed by Enter, never by hand).
const shown = (el) => el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden' && !el.closest('[aria-hidden="true"]');
// An open modal dialog is all that can be used; otherwise the document.
const scope = () => document.querySelector('dialog:modal') || document;
const mark = (el, n) => { el.setAttribute('data-test-target', String(n)); return '[data-test-target="' + n + '"]'; };
`

// pick is what the finder scripts return: the marked element's CSS
// selector, or why there is none.
type pick struct {
	Sel       string   `json:"sel"`
	Label     string   `json:"label"`     // the label's selector, for controls
	Kind      string   `json:"kind"`      // the control's type (text, radio, checkbox, select-one, …)
	Count     int      `json:"count"`     // how many matched (not 1: an error)
	Others    []string `json:"others"`    // the texts there are, when none matched
	Fieldsets bool     `json:"fieldsets"` // the count is of fieldsets with the legend
}

// find marks the one visible element of kind ("button", "link" or
// "control", found by its label, within the fieldset whose legend is
// within when given) whose text is text, and returns it; none or several
// fail the test.
func (p *browserPage) find(kind, within, text string) pick {
	p.t.Helper()
	p.marks++
	r := call[pick](p, `(kind, within, text, n) => {`+jsPrelude+`
		let root = scope();
		if (within) {
			const fs = [...root.querySelectorAll('fieldset')].filter((f) => {
				const l = f.querySelector('legend');
				return l && norm(l.textContent) === within;
			});
			if (fs.length !== 1) return {count: fs.length, fieldsets: true, others: [...root.querySelectorAll('legend')].map((l) => norm(l.textContent))};
			root = fs[0];
		}
		let all, textOf = (el) => norm(el.textContent);
		switch (kind) {
		case 'button':
			all = [...root.querySelectorAll('button, input[type=submit], input[type=button], a[role=button]')].filter(shown);
			textOf = (el) => el.tagName === 'INPUT' ? norm(el.value) : norm(el.textContent);
			break;
		case 'link':
			all = [...root.querySelectorAll('a[href]')].filter(shown);
			break;
		case 'control':
			all = [...root.querySelectorAll('label')].filter((l) => l.control);
			break;
		}
		const hits = all.filter((el) => textOf(el) === text);
		if (hits.length !== 1) return {count: hits.length, others: all.map(textOf)};
		if (kind !== 'control') return {count: 1, sel: mark(hits[0], n)};
		const label = hits[0], c = label.control;
		return {count: 1, sel: mark(c, n), label: mark(label, n + 'L'), kind: c.type};
	}`, kind, within, text, p.marks)
	if r.Count != 1 {
		what := map[string]string{"button": "button", "link": "link", "control": "field labelled"}[kind]
		if r.Fieldsets {
			p.fatalf("%d fieldsets with the legend %q; the legends are %q", r.Count, within, r.Others)
		}
		where := ""
		if within != "" {
			where = fmt.Sprintf(" in the fieldset %q", within)
		}
		if r.Count == 0 {
			p.fatalf("no %s %q%s; there are: %q", what, text, where, r.Others)
		}
		p.fatalf("%d of %s %q%s; be more specific", r.Count, what, text, where)
	}
	return r
}

// ---- Navigating.

// visit loads path (relative to the web root) and checks the page.
func (p *browserPage) visit(path string) {
	p.t.Helper()
	p.loadAfter("visit "+path, func() error {
		return p.do(loadTimeout, chromedp.Navigate(p.base+path))
	})
}

// clickLink follows the one visible link whose text is text and checks
// the page it leads to (a link within the page, such as the error
// summary's, is followed without waiting for a page).
func (p *browserPage) clickLink(text string) {
	p.t.Helper()
	el := p.find("link", "", text)
	inPage := call[bool](p, `(sel) => {
		const a = new URL(document.querySelector(sel).href), here = new URL(location.href);
		return a.hash !== '' && a.origin + a.pathname + a.search === here.origin + here.pathname + here.search;
	}`, el.Sel)
	if inPage {
		p.click(el.Sel, "link "+text)
		return
	}
	p.loadAfter("click the link "+text, func() error { return p.do(actionTimeout, chromedp.Click(chromedp.CSS(el.Sel))) })
}

// clickButton presses the one visible button whose text is text (within
// an open modal dialog, if there is one), waits for the page the form
// leads to and checks it.
func (p *browserPage) clickButton(text string) {
	p.t.Helper()
	el := p.find("button", "", text)
	p.loadAfter("press "+text, func() error { return p.do(actionTimeout, chromedp.Click(chromedp.CSS(el.Sel))) })
}

// pressButton presses a button that does not load a page (a script handles
// it); check what it did with waitFor, and checkPage if it changed the page.
func (p *browserPage) pressButton(text string) {
	p.t.Helper()
	p.click(p.find("button", "", text).Sel, "button "+text)
}

func (p *browserPage) click(sel, what string) {
	p.t.Helper()
	if err := p.do(actionTimeout, chromedp.Click(chromedp.CSS(sel))); err != nil {
		p.fatalf("click the %s: %v", what, err)
	}
}

// loadAfter loads a page with act (see load) and checks it.
func (p *browserPage) loadAfter(what string, act func() error) {
	p.t.Helper()
	p.load(what, act)
	p.checkPage()
}

// load marks the current document, runs act and waits for a new document
// to load completely, without checking it.
func (p *browserPage) load(what string, act func() error) {
	p.t.Helper()
	p.setMark()
	if err := act(); err != nil {
		p.fatalf("%s: %v", what, err)
	}
	p.waitLoaded(what, loadTimeout)
}

// setMark marks the current document, so that waitLoaded can tell the
// next one from it.
func (p *browserPage) setMark() {
	p.t.Helper()
	if _, err := eval[chromedp.Void](p, actionTimeout, `window.__testOldDocument = true`); err != nil {
		p.fatalf("mark the page: %v", err)
	}
}

// waitLoaded waits for a document without the mark whose readyState is
// complete: every script has run and every image and stylesheet loaded.
func (p *browserPage) waitLoaded(what string, d time.Duration) {
	p.t.Helper()
	deadline := time.Now().Add(d)
	var last string
	for {
		// Evaluating while the page changes can fail; that is retried.
		st, err := eval[string](p, 2*time.Second, `(window.__testOldDocument ? 'old' : 'new') + ' ' + document.readyState`)
		if err == nil && st == "new complete" {
			return
		}
		if err != nil {
			last = err.Error()
		} else {
			last = st
		}
		if time.Now().After(deadline) {
			p.fatalf("%s: no page loaded within %s (last seen: %s)", what, d, last)
		}
		time.Sleep(pollInterval)
	}
}

// waitFor waits, up to d, for a JavaScript expression to be true.
func (p *browserPage) waitFor(what, expr string, d time.Duration) {
	p.t.Helper()
	deadline := time.Now().Add(d)
	for {
		ok, err := eval[bool](p, 2*time.Second, `!!(`+expr+`)`)
		if err == nil && ok {
			return
		}
		if time.Now().After(deadline) {
			p.fatalf("waited %s for %s (%s): %v", d, what, expr, err)
		}
		time.Sleep(pollInterval)
	}
}

// ---- Forms.

// fillByLabel types value into the text field, text area or password
// field labelled label, replacing what it held.
func (p *browserPage) fillByLabel(label, value string) {
	p.t.Helper()
	p.typeInto(p.find("control", "", label).Sel, label, value)
}

// fillIn is fillByLabel for a field in the fieldset whose legend is legend
// (the day, month and year of a date, say).
func (p *browserPage) fillIn(legend, label, value string) {
	p.t.Helper()
	p.typeInto(p.find("control", legend, label).Sel, label, value)
}

// fill types value into the field that a CSS selector (such as #email)
// finds.
func (p *browserPage) fill(sel, value string) {
	p.t.Helper()
	p.typeInto(sel, sel, value)
}

func (p *browserPage) typeInto(sel, what, value string) {
	p.t.Helper()
	ok := call[bool](p, `(sel) => {
		const el = document.querySelector(sel);
		if (!el) return false;
		el.focus();
		el.value = '';
		return true;
	}`, sel)
	if !ok {
		p.fatalf("no field %s", what)
	}
	if value == "" {
		return
	}
	if err := p.do(actionTimeout, chromedp.SendKeys(chromedp.CSS(sel), value)); err != nil {
		p.fatalf("type into %s: %v", what, err)
	}
}

// fieldValue is the current value of the field labelled label.
func (p *browserPage) fieldValue(label string) string {
	p.t.Helper()
	return call[string](p, `(sel) => document.querySelector(sel).value`, p.find("control", "", label).Sel)
}

// check ticks the checkbox labelled label (by clicking its label, as a
// person would); uncheck clears it.
func (p *browserPage) check(label string)   { p.t.Helper(); p.setChecked("", label, true, "checkbox") }
func (p *browserPage) uncheck(label string) { p.t.Helper(); p.setChecked("", label, false, "checkbox") }

// choose selects the radio labelled label in the fieldset whose legend is
// legend ("": any fieldset, when the label is unique on the page).
func (p *browserPage) choose(legend, label string) {
	p.t.Helper()
	p.setChecked(legend, label, true, "radio")
}

func (p *browserPage) setChecked(legend, label string, want bool, kind string) {
	p.t.Helper()
	el := p.find("control", legend, label)
	if el.Kind != kind {
		p.fatalf("%q labels a %s, not a %s", label, el.Kind, kind)
	}
	if call[bool](p, `(sel) => document.querySelector(sel).checked`, el.Sel) != want {
		p.click(el.Label, "label "+label)
	}
	if call[bool](p, `(sel) => document.querySelector(sel).checked`, el.Sel) != want {
		p.fatalf("clicking the label %q did not change its %s", label, kind)
	}
}

// selectOption chooses the option whose text is option in the select
// labelled label.
func (p *browserPage) selectOption(label, option string) {
	p.t.Helper()
	el := p.find("control", "", label)
	others := call[[]string](p, `(sel, text) => {
		const s = document.querySelector(sel);
		const o = [...s.options].find((o) => o.text.replace(/\s+/g, ' ').trim() === text);
		if (!o) return [...s.options].map((o) => o.text);
		s.focus();
		s.value = o.value;
		s.dispatchEvent(new Event('input', {bubbles: true}));
		s.dispatchEvent(new Event('change', {bubbles: true}));
		return null;
	}`, el.Sel, option)
	if others != nil {
		p.fatalf("the select %q has no option %q; it has %q", label, option, others)
	}
}

// upload chooses file (a path on this machine) in the file input that a
// CSS selector finds.
func (p *browserPage) upload(sel, file string) {
	p.t.Helper()
	abs, err := filepath.Abs(file)
	if err != nil {
		p.t.Fatal(err)
	}
	if err := p.do(actionTimeout, chromedp.SetUploadFiles(chromedp.CSS(sel), []string{abs})); err != nil {
		p.fatalf("upload %s into %s: %v", file, sel, err)
	}
}

// uploadByLabel is upload for the file input labelled label.
func (p *browserPage) uploadByLabel(label, file string) {
	p.t.Helper()
	p.upload(p.find("control", "", label).Sel, file)
}

// ---- Reading the page.

// pageState is what a failure reports about the page.
type pageState struct {
	URL     string `json:"url"`
	Status  int    `json:"status"`
	Title   string `json:"title"`
	H1      string `json:"h1"`
	Summary string `json:"summary"` // the error summary's text, if any
}

func (p *browserPage) state() (pageState, error) {
	return eval[pageState](p, 3*time.Second, `(() => {
		const norm = (s) => (s || '').replace(/\s+/g, ' ').trim();
		const nav = performance.getEntriesByType('navigation')[0];
		const h1 = document.querySelector('h1'), es = document.querySelector('.govuk-error-summary');
		return {url: location.href, status: nav ? nav.responseStatus || 0 : 0, title: document.title,
			h1: h1 ? norm(h1.textContent) : '', summary: es ? norm(es.innerText) : ''};
	})()`)
}

func (p *browserPage) mustState() pageState {
	p.t.Helper()
	st, err := p.state()
	if err != nil {
		p.t.Fatalf("read the page: %v", err)
	}
	return st
}

// url is the page's address; path its path and query.
func (p *browserPage) url() string { p.t.Helper(); return p.mustState().URL }

func (p *browserPage) path() string {
	p.t.Helper()
	u, err := url.Parse(p.url())
	if err != nil {
		p.t.Fatal(err)
	}
	return u.RequestURI()
}

// status is the HTTP status of the page's document (after redirects).
func (p *browserPage) status() int { p.t.Helper(); return p.mustState().Status }

// title is the document's title; heading its h1's text.
func (p *browserPage) title() string   { p.t.Helper(); return p.mustState().Title }
func (p *browserPage) heading() string { p.t.Helper(); return p.mustState().H1 }

// text is the page's visible text.
func (p *browserPage) text() string {
	p.t.Helper()
	return call[string](p, `() => document.body.innerText`)
}

// expectHeading checks the page's h1.
func (p *browserPage) expectHeading(h1 string) {
	p.t.Helper()
	if got := p.heading(); got != h1 {
		p.fatalf("the heading is %q, want %q", got, h1)
	}
}

// expectPath checks the page's path (and query, if want has one).
func (p *browserPage) expectPath(want string) {
	p.t.Helper()
	got := p.path()
	if !strings.Contains(want, "?") {
		got, _, _ = strings.Cut(got, "?")
	}
	if got != want {
		p.fatalf("at %s, want %s", got, want)
	}
}

// expectStatus checks the HTTP status of the page's document.
func (p *browserPage) expectStatus(want int) {
	p.t.Helper()
	if got := p.status(); got != want {
		p.fatalf("status %d, want %d", got, want)
	}
}

// expectText checks that the page shows each of texts.
func (p *browserPage) expectText(texts ...string) {
	p.t.Helper()
	body := normSpace(p.text())
	for _, s := range texts {
		if !strings.Contains(body, normSpace(s)) {
			p.fatalf("the page does not show %q", s)
		}
	}
}

// expectNoText checks that the page shows none of texts.
func (p *browserPage) expectNoText(texts ...string) {
	p.t.Helper()
	body := normSpace(p.text())
	for _, s := range texts {
		if strings.Contains(body, normSpace(s)) {
			p.fatalf("the page shows %q", s)
		}
	}
}

// expectInvalid checks the form came back refused as invalid (422), its
// error summary listing messages.
func (p *browserPage) expectInvalid(messages ...string) {
	p.t.Helper()
	p.expectStatus(422)
	p.expectErrorSummary(messages...)
}

// expectErrorSummary checks the GOV.UK error pattern: the title starts
// "Error: ", an error summary "There is a problem" lists exactly messages
// (each linking to its field, which shows the same message), and, with
// JavaScript, the summary has the focus (GOV.UK Frontend moves it there).
func (p *browserPage) expectErrorSummary(messages ...string) {
	p.t.Helper()
	type item struct {
		Text       string `json:"text"`
		Href       string `json:"href"`
		FieldError string `json:"fieldError"` // the message at the field the link targets
	}
	type summary struct {
		Found   bool   `json:"found"`
		Title   string `json:"title"`
		Items   []item `json:"items"`
		Focused bool   `json:"focused"`
	}
	s := call[summary](p, `() => {`+jsPrelude+`
		const es = document.querySelector('.govuk-error-summary');
		if (!es) return {found: false};
		const items = [...es.querySelectorAll('.govuk-error-summary__list li')].map((li) => {
			const a = li.querySelector('a'), href = a ? a.getAttribute('href') : '';
			let fieldError = '';
			if (href && href.startsWith('#')) {
				const f = document.getElementById(href.slice(1));
				const g = f && f.closest('.govuk-form-group');
				const m = g && g.querySelector('.govuk-error-message');
				fieldError = m ? norm(m.textContent).replace(/^Error: /, '') : '';
			}
			return {text: norm(li.textContent), href, fieldError};
		});
		return {found: true, title: norm(es.querySelector('.govuk-error-summary__title')?.textContent),
			items, focused: es.contains(document.activeElement)};
	}`)
	if !s.Found {
		p.fatalf("no error summary")
	}
	if s.Title != "There is a problem" {
		p.fatalf("the error summary's title is %q", s.Title)
	}
	if t := p.title(); !strings.HasPrefix(t, "Error: ") {
		p.fatalf("the title %q does not start with %q", t, "Error: ")
	}
	var got []string
	for _, it := range s.Items {
		got = append(got, it.Text)
		if it.Href != "" && it.FieldError != it.Text {
			p.fatalf("the summary's %q links to %s, whose message is %q", it.Text, it.Href, it.FieldError)
		}
	}
	if !slices.Equal(got, messages) {
		p.fatalf("the error summary lists %q, want %q", got, messages)
	}
	if !s.Focused && !p.noJS {
		p.fatalf("the error summary does not have the focus")
	}
}

// ---- Checking pages: axe, console, screenshots.

// axeViolation is one failed axe rule and the elements failing it.
type axeViolation struct {
	ID      string `json:"id"`
	Impact  string `json:"impact"`
	Help    string `json:"help"`
	HelpURL string `json:"helpUrl"`
	Nodes   []struct {
		Target  []string `json:"target"`
		HTML    string   `json:"html"`
		Summary string   `json:"summary"`
	} `json:"nodes"`
}

// checkPage waits for the page to finish loading, saves a full-page
// screenshot, runs axe (failing the test with every violation) and fails
// the test on console errors. The loading methods call it; call it after
// a script changes the page (a dialog opens, say).
func (p *browserPage) checkPage() {
	p.t.Helper()
	p.checkPageAs("")
}

// checkPageAs is checkPage with the screenshot named slug rather than after
// the page's path.
func (p *browserPage) checkPageAs(slug string) {
	p.t.Helper()
	p.waitFor("the page to finish loading", `document.readyState === 'complete'`, loadTimeout)
	st := p.mustState()
	if slug == "" {
		slug = pageSlug(st)
	}
	p.screenshot(slug)
	p.runAxe(st)
	p.checkConsole()
}

// axeViolations injects axe-core (once per document) and runs it on the
// page.
func (p *browserPage) axeViolations() []axeViolation {
	p.t.Helper()
	if p.noJS {
		// axe needs timers; the page's own scripts, skipped when it
		// loaded, stay skipped.
		p.scripts(true)
		defer p.scripts(false)
	}
	if _, err := eval[chromedp.Void](p, axeTimeout, `if (typeof window.axe === 'undefined') {`+p.axe+"\n}"); err != nil {
		p.fatalf("inject axe-core: %v", err)
	}
	tags, _ := json.Marshal(axeTags)
	vs, err := eval[[]axeViolation](p, axeTimeout, `axe.run(document, {runOnly: {type: 'tag', values: `+string(tags)+`}, resultTypes: ['violations']})
		.then((r) => r.violations.map((v) => ({id: v.id, impact: v.impact || '', help: v.help, helpUrl: v.helpUrl,
			nodes: v.nodes.map((n) => ({target: n.target.map(String), html: n.html, summary: n.failureSummary || ''}))})))`)
	if err != nil {
		p.fatalf("run axe: %v", err)
	}
	return vs
}

// runAxe fails the test (but lets it go on) with every axe violation on
// the page.
func (p *browserPage) runAxe(st pageState) {
	p.t.Helper()
	vs := p.axeViolations()
	if len(vs) == 0 {
		return
	}
	var b strings.Builder
	fmt.Fprintf(&b, "axe: %d accessibility violation(s) on %s (%q):", len(vs), st.URL, st.H1)
	for _, v := range vs {
		fmt.Fprintf(&b, "\n  [%s] %s: %s (%s)", v.Impact, v.ID, v.Help, v.HelpURL)
		for _, n := range v.Nodes {
			fmt.Fprintf(&b, "\n    - %s\n      %s", strings.Join(n.Target, " "), n.HTML)
			if n.Summary != "" {
				fmt.Fprintf(&b, "\n      %s", strings.ReplaceAll(n.Summary, "\n", "\n      "))
			}
		}
	}
	p.t.Error(b.String()) // the journey goes on, to find the other pages' violations
}

// checkConsole fails the test on the errors the pages logged since the last
// check (uncaught exceptions, console.error, failed requests, CSP
// violations); an HTTP error status of a page itself is not one, as error
// pages and re-shown forms answer with one.
func (p *browserPage) checkConsole() {
	p.t.Helper()
	p.mu.Lock()
	msgs := p.console
	p.console = nil
	p.mu.Unlock()
	for _, m := range msgs {
		switch {
		case m.Type == chromedp.ConsoleWarning:
			p.t.Logf("console: %s (%s)", m, m.URL)
		case m.Type == chromedp.ConsoleError && m.Source == "network" && p.isDocument(m.URL):
		case m.Type == chromedp.ConsoleError || m.IsException():
			p.t.Errorf("console: %s (%s:%d)", m, m.URL, m.Line+1)
		}
	}
}

// isDocument reports whether u is a page of the site rather than an asset.
func (p *browserPage) isDocument(u string) bool {
	return strings.HasPrefix(u, p.base+"/") && !strings.HasPrefix(u, p.base+"/assets/")
}

// screenshot saves the whole page as <NN>-<slug>.png.
func (p *browserPage) screenshot(slug string) string {
	p.t.Helper()
	shotDirs.Lock()
	*p.shotNo++
	n := *p.shotNo
	shotDirs.Unlock()
	file := filepath.Join(p.shots, fmt.Sprintf("%02d-%s.png", n, slug))
	png, err := func() ([]byte, error) {
		ctx, cancel := context.WithTimeout(p.ctx, actionTimeout)
		defer cancel()
		return chromedp.Run(ctx, chromedp.FullScreenshot(100))
	}()
	if err == nil {
		err = os.WriteFile(file, png, 0o644)
	}
	if err != nil {
		p.t.Errorf("screenshot %s: %v", file, err)
	}
	return file
}

// fatalf fails the test now, with the page's address, status, title, h1
// and error summary, and a screenshot of it.
func (p *browserPage) fatalf(format string, args ...any) {
	p.t.Helper()
	msg := fmt.Sprintf(format, args...)
	st, err := p.state()
	if err != nil {
		p.t.Fatalf("%s\n(the page could not be read: %v)", msg, err)
	}
	file := p.screenshot("FAILED-" + pageSlug(st))
	var b strings.Builder
	fmt.Fprintf(&b, "%s\n  page:    %s (status %d)\n  title:   %s\n  h1:      %s", msg, st.URL, st.Status, st.Title, st.H1)
	if st.Summary != "" {
		fmt.Fprintf(&b, "\n  summary: %s", st.Summary)
	}
	fmt.Fprintf(&b, "\n  screenshot: %s", file)
	p.t.Fatal(b.String())
}

// pageSlug names a page's screenshot after its path ("home" for /), with
// "-error" when it shows an error summary.
func pageSlug(st pageState) string {
	u, err := url.Parse(st.URL)
	if err != nil {
		return "page"
	}
	slug := slugify(u.Path, 60)
	if slug == "" {
		slug = "home"
	}
	if st.Summary != "" {
		slug += "-error"
	}
	return slug
}

var (
	notSlug     = regexp.MustCompile(`[^a-z0-9]+`)
	notFileName = regexp.MustCompile(`[^A-Za-z0-9_./-]+|\.\.+`)
)

func slugify(s string, max int) string {
	s = strings.Trim(notSlug.ReplaceAllString(strings.ToLower(s), "-"), "-")
	if len(s) > max {
		s = strings.TrimRight(s[:max], "-")
	}
	return s
}

func normSpace(s string) string { return strings.Join(strings.Fields(s), " ") }

// The harness itself, on a small site of its own: the form methods reach
// the fields a person would, axe reports what it should, and scripts can
// be turned off.
func TestBrowserHarness(t *testing.T) {
	t.Parallel()
	needBrowser(t)
	mux := http.NewServeMux()
	htmlPage := func(w http.ResponseWriter, title, body string) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprintf(w, `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>%s</title></head>`+
			`<body><main><h1>%s</h1>%s</main></body></html>`, title, title, body)
	}
	mux.HandleFunc("GET /form", func(w http.ResponseWriter, r *http.Request) {
		htmlPage(w, "A form", `<form method="post" enctype="multipart/form-data">
<p><label for="name">Organisation name</label> <input id="name" name="name" value="typed before"></p>
<fieldset><legend>Start date</legend>
 <label for="d">Day</label> <input id="d" name="day"> <label for="m">Month</label> <input id="m" name="month"></fieldset>
<fieldset><legend>Is your work mainly in London?</legend>
 <input type="radio" id="l1" name="london" value="yes"><label for="l1">Yes</label>
 <input type="radio" id="l2" name="london" value="no"><label for="l2">No</label></fieldset>
<fieldset><legend>Do you work with partners?</legend>
 <input type="radio" id="p1" name="partners" value="yes" checked><label for="p1">Yes</label>
 <input type="radio" id="p2" name="partners" value="no"><label for="p2">No</label></fieldset>
<fieldset><legend>Themes</legend>
 <input type="checkbox" id="t1" name="theme" value="older"><label for="t1">Older people</label>
 <input type="checkbox" id="t2" name="theme" value="young" checked><label for="t2">Young people</label></fieldset>
<p><label for="b">Borough</label> <select id="b" name="borough"><option value="">Choose</option><option value="sk">Southwark</option><option value="lb">Lambeth</option></select></p>
<p><label for="f">Budget</label> <input type="file" id="f" name="budget"></p>
<p><label for="s">Summary</label> <textarea id="s" name="summary"></textarea></p>
<p><a href="#name">Go to the name</a></p>
<button>Save</button></form>`)
	})
	mux.HandleFunc("POST /form", func(w http.ResponseWriter, r *http.Request) {
		if err := r.ParseMultipartForm(1 << 20); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		var b strings.Builder
		for _, k := range []string{"name", "day", "month", "london", "partners", "theme", "borough", "summary"} {
			fmt.Fprintf(&b, "<p>%s=%s</p>", k, html.EscapeString(strings.Join(r.MultipartForm.Value[k], ",")))
		}
		if f, h, err := r.FormFile("budget"); err == nil {
			n, _ := io.Copy(io.Discard, f)
			fmt.Fprintf(&b, "<p>budget=%s (%d bytes)</p>", html.EscapeString(h.Filename), n)
		}
		htmlPage(w, "Saved", b.String())
	})
	mux.HandleFunc("GET /bad", func(w http.ResponseWriter, r *http.Request) {
		htmlPage(w, "Bad", `<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" width="20" height="20"><input name="q">`)
	})
	mux.HandleFunc("GET /script", func(w http.ResponseWriter, r *http.Request) {
		htmlPage(w, "Before", `<script>document.querySelector('h1').textContent = 'After';</script>`)
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	budget := filepath.Join(t.TempDir(), "budget.csv")
	require.NoError(t, os.WriteFile(budget, []byte("item,pence\nhall,5000\n"), 0o644))

	t.Run("forms", func(t *testing.T) {
		b := newBrowserPage(t, srv.URL)
		b.visit("/form")
		b.expectHeading("A form")
		b.clickLink("Go to the name") // within the page: no page loads
		b.expectPath("/form")
		b.fillByLabel("Organisation name", "Bermondsey Kitchen")
		b.fillIn("Start date", "Day", "1")
		b.fill("#m", "4")
		b.choose("Is your work mainly in London?", "Yes")
		b.choose("Do you work with partners?", "No")
		b.check("Older people")
		b.uncheck("Young people")
		b.selectOption("Borough", "Lambeth")
		b.uploadByLabel("Budget", budget)
		b.fillByLabel("Summary", "Cooking clubs.\nEvery week.")
		require.Equal(t, "Bermondsey Kitchen", b.fieldValue("Organisation name"))
		b.clickButton("Save")
		b.expectHeading("Saved")
		b.expectStatus(200)
		b.expectText("name=Bermondsey Kitchen", "day=1", "month=4", "london=yes", "partners=no", "theme=older",
			"borough=lb", "summary=Cooking clubs. Every week.", "budget=budget.csv (21 bytes)")
	})

	t.Run("axe", func(t *testing.T) {
		b := newBrowserPage(t, srv.URL)
		b.load("open /bad", func() error { return b.do(loadTimeout, chromedp.Navigate(srv.URL+"/bad")) })
		var ids []string
		for _, v := range b.axeViolations() {
			ids = append(ids, v.ID)
		}
		require.Subset(t, ids, []string{"image-alt", "label"})
	})

	t.Run("scripts", func(t *testing.T) {
		b := newBrowserPage(t, srv.URL)
		b.visit("/script")
		b.expectHeading("After")
		b = newBrowserPage(t, srv.URL, withoutJavaScript())
		b.visit("/script")
		b.expectHeading("Before")
	})
}
