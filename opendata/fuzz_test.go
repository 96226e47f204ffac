package opendata_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/civicgrants/grants/money"
	"github.com/civicgrants/grants/opendata"
)

// FuzzJSONWriter builds grants from any text and amounts and streams them
// as a 360Giving package: the package is always one JSON document whose
// grants read back with their ids, texts and amounts, never an e-mail
// address in a title or description, and every CSV row fits the header.
func FuzzJSONWriter(f *testing.F) {
	f.Add("Bermondsey Food Bank", "Cooking clubs", "Weekly clubs; ask ada@example.org", int64(1_200_001), int64(600_000), 12)
	f.Add("", "", "", int64(0), int64(0), 0)
	f.Add("\"quoted\" </script>", "\u2028line\u2029sep", "bad\xffutf8 \x00 nul", int64(1), int64(99), -1)
	f.Add("Name", "a@b.cc@d.ee", "x.y@z.co.uk, again p@q.rs", money.MaxPence, int64(1), 1200)
	f.Fuzz(func(t *testing.T, name, title, summary string, awarded, disbursed int64, months int) {
		if awarded < 0 || disbursed < 0 || awarded > money.MaxPence || disbursed > money.MaxPence {
			return // amounts are never negative (CHECK constraints), nor above what the service accepts
		}
		s := source()
		s.RecipientName, s.ProjectTitle, s.Summary = name, title, summary
		s.AwardedPence, s.DisbursedPence, s.Months = awarded, disbursed, months%1200
		s.AppliedPence = nil
		g := opendata.Build(s, "https://grants.example/open-data")
		other := opendata.Build(source(), "")

		var buf bytes.Buffer
		w, err := opendata.NewJSONWriter(&buf, opendata.Package{Title: title})
		if err != nil {
			t.Fatal(err)
		}
		for _, x := range []opendata.Grant{g, other} {
			if err := w.Write(x); err != nil {
				t.Fatal(err)
			}
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		var pkg struct {
			Grants []opendata.Grant `json:"grants"`
		}
		dec := json.NewDecoder(&buf)
		dec.UseNumber()
		if err := dec.Decode(&pkg); err != nil {
			t.Fatalf("the package is not JSON: %v\n%s", err, buf.Bytes())
		}
		if len(pkg.Grants) != 2 || pkg.Grants[0].ID != g.ID || pkg.Grants[1].ID != other.ID {
			t.Fatalf("wrote grants %s and %s, read %+v", g.ID, other.ID, pkg.Grants)
		}
		got := pkg.Grants[0]
		for what, pence := range map[json.Number]int64{got.AmountAwarded: awarded, got.AmountDisbursed: disbursed} {
			if back, err := money.ParsePounds(string(what)); err != nil || back != pence {
				t.Fatalf("amount %d written as %q reads back as %d (%v)", pence, what, back, err)
			}
		}
		if utf8.ValidString(name) && utf8.ValidString(title) && utf8.ValidString(summary) { // each: two halves can make one
			if got.Title != g.Title || got.Description != g.Description || got.RecipientOrganization[0].Name != name {
				t.Fatalf("texts changed on the way: wrote %q/%q, read %q/%q", g.Title, g.Description, got.Title, got.Description)
			}
		}
		for _, text := range []string{got.Title, got.Description} {
			if m := opendata.EmailAddress.FindString(text); m != "" {
				t.Fatalf("an e-mail address %q is published in %q", m, text)
			}
		}
		if strings.TrimSpace(got.Title) == "" || strings.TrimSpace(got.Description) == "" {
			t.Fatalf("an empty title or description: %q / %q", got.Title, got.Description)
		}
		if rec := opendata.CSVRecord(g); len(rec) != len(opendata.CSVHeader) {
			t.Fatalf("a CSV row of %d cells under a header of %d", len(rec), len(opendata.CSVHeader))
		}
		_ = opendata.Check(g, time.Now())
	})
}
