package organisation_test

import (
	"strings"
	"testing"
	"unicode"

	"github.com/civicgrants/grants/organisation"
)

func FuzzNormalisePostcode(f *testing.F) {
	for _, s := range []string{"se1 7pb", "SW1A1AA", "gir 0aa", "", " ", "SE1", "EC1A 1BB\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, ok := organisation.NormalisePostcode(s)
		if !ok {
			if got != "" {
				t.Fatalf("NormalisePostcode(%q) = %q, false; want empty", s, got)
			}
			return
		}
		if got != strings.ToUpper(got) || strings.Count(got, " ") != 1 || got[len(got)-4] != ' ' {
			t.Fatalf("NormalisePostcode(%q) = %q: not canonical", s, got)
		}
		again, ok := organisation.NormalisePostcode(got)
		if !ok || again != got {
			t.Fatalf("NormalisePostcode not idempotent: %q → %q → %q, %v", s, got, again, ok)
		}
	})
}

func FuzzLookupBorough(f *testing.F) {
	for _, s := range []string{"Camden", "hammersmith & fulham", "City  of London", "", "&&", "Kingston-upon-Thames"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		b, ok := organisation.LookupBorough(s)
		if !ok {
			if b != (organisation.Borough{}) {
				t.Fatalf("LookupBorough(%q) = %+v, false; want zero", s, b)
			}
			return
		}
		again, ok := organisation.LookupBorough(b.Name)
		if !ok || again != b {
			t.Fatalf("canonical name %q does not look up to itself", b.Name)
		}
	})
}

func FuzzMatchKey(f *testing.F) {
	f.Add("The Hive Ltd.", "sc 012345", "01234567")
	f.Add("St Mary’s & All Saints", "", "")
	f.Add("", "", "")
	f.Fuzz(func(t *testing.T, name, charity, company string) {
		keys := organisation.MatchKey(name, charity, company)
		for _, k := range keys {
			prefix, rest, found := strings.Cut(k, ":")
			if !found || rest == "" {
				t.Fatalf("key %q has no value", k)
			}
			switch prefix {
			case "charity", "company":
				if strings.IndexFunc(rest, unicode.IsSpace) >= 0 {
					t.Fatalf("number key %q has spaces", k)
				}
			case "name":
				if rest != strings.Join(strings.Fields(rest), " ") {
					t.Fatalf("name key %q has stray spaces", k)
				}
				if again := organisation.MatchKey(rest, "", ""); len(again) != 1 || again[0] != k {
					t.Fatalf("name key %q is not stable: %v", k, again)
				}
			default:
				t.Fatalf("unknown key %q", k)
			}
		}
	})
}

func FuzzInputValidate(f *testing.F) {
	f.Add("Hive", "charity", "1234567", "", "camden", "1 Road", "London", "nw1 1aa", int64(0), "")
	f.Add("", "", "", "", "", "", "", "", int64(-1), "x")
	f.Fuzz(func(t *testing.T, name, form, charity, company, borough, line1, town, postcode string, income int64, host string) {
		in := organisation.Input{
			Name: name, LegalForm: form, CharityNumber: charity, CompanyNumber: company,
			Borough: borough, Address: organisation.Address{Line1: line1, Town: town, Postcode: postcode},
			AnnualIncomePence: &income, HostOrganisationID: host,
		}
		in.Normalise()
		b, errs := in.Validate()
		if errs == nil {
			if b.GSS == "" {
				t.Fatalf("valid input without a borough: %+v", in)
			}
			if _, ok := organisation.NormalisePostcode(in.Address.Postcode); !ok {
				t.Fatalf("valid input with a bad postcode: %+v", in)
			}
		}
		for k, v := range errs {
			if k == "" || v == "" {
				t.Fatalf("empty key or message in %v", errs)
			}
		}
	})
}
