package seed

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"strings"

	"github.com/civicgrants/grants/round"
)

//go:embed rounds/*.json
var roundFiles embed.FS

// Programme is a funding programme seeded for `grants dev`.
type Programme struct {
	Code        string
	Name        string
	Description string
	// FunderName and GivingPrefix are for open data (a demo prefix).
	FunderName, GivingPrefix string
}

// demoFunder and demoPrefix fund both demo programmes.
const (
	demoFunder = "Mayor of London"
	demoPrefix = "360G-cityhall"
)

// Programmes returns the two City Hall programmes, in the order they are
// shown.
func Programmes() []Programme {
	return []Programme{
		{
			Code: "roots-incubator",
			Name: "Civil Society Roots Incubator",
			Description: "Grants of £1,000 to £15,000 for partnerships of two or more " +
				"organisations tackling gaps in support for Londoners. Partnerships " +
				"led by and for the communities they serve are especially welcome.",
			FunderName: demoFunder, GivingPrefix: demoPrefix,
		},
		{
			Code: "spaces-at-risk",
			Name: "Community Spaces at Risk Fund",
			Description: "Grants of up to £25,000, with one-to-one support, to protect " +
				"community centres, social clubs, youth and cultural spaces in London " +
				"that are at risk of closure.",
			FunderName: demoFunder, GivingPrefix: demoPrefix,
		},
	}
}

// Rounds returns the demo round of each programme, keyed by programme code.
// Each is decoded from rounds/<code>.json, rejecting unknown fields. The
// rounds' opens_at and closes_at are placeholders for the caller to replace;
// defaults are not applied.
func Rounds() (map[string]round.Definition, error) {
	names, err := fs.Glob(roundFiles, "rounds/*.json")
	if err != nil {
		return nil, fmt.Errorf("list seed rounds: %w", err)
	}
	rounds := make(map[string]round.Definition, len(names))
	for _, name := range names {
		b, err := roundFiles.ReadFile(name)
		if err != nil {
			return nil, fmt.Errorf("read seed round %s: %w", name, err)
		}
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.DisallowUnknownFields()
		var d round.Definition
		if err := dec.Decode(&d); err != nil {
			return nil, fmt.Errorf("decode seed round %s: %w", name, err)
		}
		if dec.More() {
			return nil, fmt.Errorf("decode seed round %s: data after the round", name)
		}
		if code := strings.TrimSuffix(path.Base(name), ".json"); d.Programme != code {
			return nil, fmt.Errorf("seed round %s: programme %q does not match the file name", name, d.Programme)
		}
		rounds[d.Programme] = d
	}
	return rounds, nil
}

// DemoUser is a user created by `grants dev`, with the global staff roles
// it holds (none for an applicant).
type DemoUser struct {
	Email string
	Name  string
	Roles []string
}

// ApplicantEmail is the e-mail address of the demo applicant, the admin of
// DemoOrganisation.
const ApplicantEmail = "applicant@example.org"

// DemoUsers returns the demo users: a manager, a panel chair, three
// assessors, two finance officers, a staff admin, a caseworker and an
// applicant.
func DemoUsers() []DemoUser {
	return []DemoUser{
		{Email: "manager@example.org", Name: "Priya Shah", Roles: []string{"manager"}},
		{Email: "chair@example.org", Name: "Daniel Okafor", Roles: []string{"chair"}},
		{Email: "assessor1@example.org", Name: "Aisha Rahman", Roles: []string{"assessor"}},
		{Email: "assessor2@example.org", Name: "Tom Gallagher", Roles: []string{"assessor"}},
		{Email: "assessor3@example.org", Name: "Mei Lin Chen", Roles: []string{"assessor"}},
		{Email: "finance1@example.org", Name: "Grace Adeyemi", Roles: []string{"finance"}},
		{Email: "finance2@example.org", Name: "Jakub Nowak", Roles: []string{"finance"}},
		{Email: "admin@example.org", Name: "Morgan Ellis", Roles: []string{"admin"}},
		{Email: "caseworker@example.org", Name: "Femi Adebayo", Roles: []string{"caseworker"}},
		{Email: ApplicantEmail, Name: "Sam Taylor", Roles: []string{}},
	}
}

// DemoOrg is the demo applicant's organisation, a small charity in
// Southwark. LegalForm is an organisation legal form such as "charity";
// Borough is a London borough by name.
type DemoOrg struct {
	Name              string
	LegalForm         string
	CharityNumber     string
	Borough           string
	Line1             string
	Town              string
	Postcode          string
	AnnualIncomePence int64
}

// DemoOrganisation returns the demo applicant's charity: made up, but shaped
// like a real one, and eligible for both demo rounds.
func DemoOrganisation() DemoOrg {
	return DemoOrg{
		Name:              "Bermondsey Community Kitchen",
		LegalForm:         "charity",
		CharityNumber:     "1187342",
		Borough:           "Southwark",
		Line1:             "Unit 4, 112 Southwark Park Road",
		Town:              "London",
		Postcode:          "SE16 3RS",
		AnnualIncomePence: 8400000,
	}
}
