package organisation_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/stretchr/testify/require"

	"github.com/civicgrants/grants/organisation"
)

func TestLookupBorough(t *testing.T) {
	t.Parallel()

	tests := []struct {
		in   string
		want organisation.Borough
		ok   bool
	}{
		{"City of London", organisation.Borough{Name: "City of London", GSS: "E09000001"}, true},
		{"camden", organisation.Borough{Name: "Camden", GSS: "E09000007"}, true},
		{"  HAMMERSMITH   &  fulham ", organisation.Borough{Name: "Hammersmith and Fulham", GSS: "E09000013"}, true},
		{"Barking & Dagenham", organisation.Borough{Name: "Barking and Dagenham", GSS: "E09000002"}, true},
		{"Kensington&Chelsea", organisation.Borough{Name: "Kensington and Chelsea", GSS: "E09000020"}, true},
		{"Kingston-upon-Thames", organisation.Borough{Name: "Kingston upon Thames", GSS: "E09000021"}, true},
		{"tower\thamlets", organisation.Borough{Name: "Tower Hamlets", GSS: "E09000030"}, true},
		{"Westminster", organisation.Borough{Name: "Westminster", GSS: "E09000033"}, true},
		{"Manchester", organisation.Borough{}, false},
		{"", organisation.Borough{}, false},
		{"Kingston", organisation.Borough{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			got, ok := organisation.LookupBorough(tt.in)
			require.Equal(t, tt.ok, ok)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("LookupBorough(%q) mismatch (-want +got):\n%s", tt.in, diff)
			}
		})
	}
}

func TestBoroughs(t *testing.T) {
	t.Parallel()

	got := organisation.Boroughs()
	require.Len(t, got, 33)
	codes := map[string]bool{}
	for i, b := range got {
		if i > 0 {
			require.Less(t, got[i-1].Name, b.Name, "sorted by name")
		}
		codes[b.GSS] = true
		found, ok := organisation.LookupBorough(b.Name)
		require.True(t, ok, b.Name)
		require.Equal(t, b, found)
	}
	for i := 1; i <= 33; i++ {
		code := "E090000" + string(rune('0'+i/10)) + string(rune('0'+i%10))
		require.True(t, codes[code], "missing %s", code)
	}

	// Callers get their own copy.
	got[0].Name = "changed"
	require.NotEqual(t, "changed", organisation.Boroughs()[0].Name)
}

func TestNormalisePostcode(t *testing.T) {
	t.Parallel()

	tests := []struct {
		in   string
		want string
		ok   bool
	}{
		{"se1 7pb", "SE1 7PB", true},
		{"SE17PB", "SE1 7PB", true},
		{"  sw1a   1aa ", "SW1A 1AA", true},
		{"EC1A 1BB", "EC1A 1BB", true},
		{"W1A 0AX", "W1A 0AX", true},
		{"M1 1AE", "M1 1AE", true},
		{"B33 8TH", "B33 8TH", true},
		{"CR2 6XH", "CR2 6XH", true},
		{"DN55 1PT", "DN55 1PT", true},
		{"gir 0aa", "GIR 0AA", true},
		{"", "", false},
		{"SE1", "", false},
		{"SE1 7P", "", false},
		{"QE1 7PB", "", false},
		{"SE1 7CB", "", false},
		{"12345", "", false},
		{"SE1 7PB X", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			got, ok := organisation.NormalisePostcode(tt.in)
			require.Equal(t, tt.ok, ok)
			require.Equal(t, tt.want, got)
		})
	}
}

func TestValidNumbers(t *testing.T) {
	t.Parallel()

	charity := map[string]bool{
		"123456": true, "1234567": true, "12345678": true, "SC012345": true,
		"12345": false, "123456789": false, "SC12345": false, "sc012345": false,
		"NI012345": false, "1234567-1": false, "": false, "12 3456": false,
	}
	for in, want := range charity {
		require.Equal(t, want, organisation.ValidCharityNumber(in), "charity %q", in)
	}

	company := map[string]bool{
		"01234567": true, "SC123456": true, "OC123456": true, "R0000105": true,
		"1234567": false, "012345678": false, "sc123456": false, "0123-567": false, "": false,
	}
	for in, want := range company {
		require.Equal(t, want, organisation.ValidCompanyNumber(in), "company %q", in)
	}
}

func TestMatchKey(t *testing.T) {
	t.Parallel()

	tests := []struct {
		name                   string
		orgName, charity, comp string
		want                   []string
	}{
		{"all", "The Hive Ltd.", "sc 012345", "01234567", []string{"charity:SC012345", "company:01234567", "name:hive"}},
		{"name only", "St Mary’s  Community   Garden", "", "", []string{"name:st marys community garden"}},
		{"ampersand", "Arts & Crafts CIC", "", "", []string{"name:arts and crafts"}},
		{"punctuation", "Arts-and-Crafts (Limited)", "", "", []string{"name:arts and crafts"}},
		{"stop words only", "The Ltd", "", "", nil},
		{"nothing", "", " ", "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := organisation.MatchKey(tt.orgName, tt.charity, tt.comp)
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("MatchKey mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func pence(n int64) *int64 { return &n }

// validInput returns an input that passes validation; cases change one thing.
func validInput() organisation.Input {
	return organisation.Input{
		Name:              "Peckham Community Garden",
		LegalForm:         organisation.LegalFormCharity,
		CharityNumber:     "1234567",
		Borough:           "Southwark",
		Address:           organisation.Address{Line1: "1 Rye Lane", Town: "London", Postcode: "SE15 4ST"},
		AnnualIncomePence: pence(12_500_00),
	}
}

func TestInputNormalise(t *testing.T) {
	t.Parallel()

	in := organisation.Input{
		Name:               "  Peckham Garden \n",
		LegalForm:          " charity ",
		CharityNumber:      " sc 012345 ",
		CompanyNumber:      "oc123456",
		Borough:            "  southwark ",
		Address:            organisation.Address{Line1: " 1 Rye Lane ", Line2: " ", Town: " London ", Postcode: "se15   4st"},
		HostOrganisationID: " ",
	}
	in.Normalise()
	want := organisation.Input{
		Name:          "Peckham Garden",
		LegalForm:     "charity",
		CharityNumber: "SC012345",
		CompanyNumber: "OC123456",
		Borough:       "southwark",
		Address:       organisation.Address{Line1: "1 Rye Lane", Town: "London", Postcode: "SE15 4ST"},
	}
	if diff := cmp.Diff(want, in); diff != "" {
		t.Errorf("Normalise mismatch (-want +got):\n%s", diff)
	}

	bad := organisation.Input{Address: organisation.Address{Postcode: " not a code "}}
	bad.Normalise()
	require.Equal(t, "NOT A CODE", bad.Address.Postcode)
}

func TestInputValidate(t *testing.T) {
	t.Parallel()

	southwark := organisation.Borough{Name: "Southwark", GSS: "E09000028"}
	tests := []struct {
		name        string
		edit        func(in *organisation.Input)
		wantBorough organisation.Borough
		wantErrs    map[string]string
	}{
		{
			name:        "valid charity",
			edit:        func(*organisation.Input) {},
			wantBorough: southwark,
		},
		{
			name: "valid scottish charity number and zero income",
			edit: func(in *organisation.Input) {
				in.CharityNumber = "SC012345"
				in.AnnualIncomePence = pence(0)
			},
			wantBorough: southwark,
		},
		{
			name: "valid cic with optional charity number",
			edit: func(in *organisation.Input) {
				in.LegalForm = organisation.LegalFormCIC
				in.CompanyNumber = "12345678"
			},
			wantBorough: southwark,
		},
		{
			name: "valid community group without numbers",
			edit: func(in *organisation.Input) {
				in.LegalForm = organisation.LegalFormCommunityGroup
				in.CharityNumber = ""
				in.Borough = "city of london"
			},
			wantBorough: organisation.Borough{Name: "City of London", GSS: "E09000001"},
		},
		{
			name: "valid unconstituted group with host",
			edit: func(in *organisation.Input) {
				in.LegalForm = organisation.LegalFormUnconstitutedGroup
				in.CharityNumber = ""
				in.HostOrganisationID = "org_123"
			},
			wantBorough: southwark,
		},
		{
			name: "everything missing",
			edit: func(in *organisation.Input) {
				*in = organisation.Input{}
			},
			wantErrs: map[string]string{
				"name":                "Enter the organisation's name",
				"legal_form":          "Choose a legal form",
				"borough":             "Enter the borough",
				"address.line1":       "Enter the first line of the address",
				"address.town":        "Enter the town or city",
				"address.postcode":    "Enter the postcode",
				"annual_income_pence": "Enter the annual income",
			},
		},
		{
			name:        "charity without number",
			edit:        func(in *organisation.Input) { in.CharityNumber = "" },
			wantBorough: southwark,
			wantErrs:    map[string]string{"charity_number": "Enter the charity number"},
		},
		{
			name: "cio with bad number",
			edit: func(in *organisation.Input) {
				in.LegalForm = organisation.LegalFormCIO
				in.CharityNumber = "12345"
			},
			wantBorough: southwark,
			wantErrs:    map[string]string{"charity_number": "Charity number must be 6 to 8 digits, or SC followed by 6 digits"},
		},
		{
			name: "company without company number",
			edit: func(in *organisation.Input) {
				in.LegalForm = organisation.LegalFormCompany
				in.CharityNumber = ""
			},
			wantBorough: southwark,
			wantErrs:    map[string]string{"company_number": "Enter the company number"},
		},
		{
			name:        "bad optional company number",
			edit:        func(in *organisation.Input) { in.CompanyNumber = "1234" },
			wantBorough: southwark,
			wantErrs:    map[string]string{"company_number": "Company number must be 8 letters or digits, like 01234567"},
		},
		{
			name:        "unknown legal form",
			edit:        func(in *organisation.Input) { in.LegalForm = "partnership" },
			wantBorough: southwark,
			wantErrs: map[string]string{
				"legal_form": "Legal form must be one of charity, cio, company, cic, community_group, unconstituted_group",
			},
		},
		{
			name:     "borough outside London",
			edit:     func(in *organisation.Input) { in.Borough = "Manchester" },
			wantErrs: map[string]string{"borough": "Borough must be a London borough or the City of London"},
		},
		{
			name: "long name and address lines",
			edit: func(in *organisation.Input) {
				in.Name = strings.Repeat("é", 201)
				in.Address.Line2 = strings.Repeat("a", 201)
			},
			wantBorough: southwark,
			wantErrs: map[string]string{
				"name":          "Name must be 200 characters or fewer",
				"address.line2": "Must be 200 characters or fewer",
			},
		},
		{
			name: "bad postcode and negative income",
			edit: func(in *organisation.Input) {
				in.Address.Postcode = "SE1"
				in.AnnualIncomePence = pence(-1)
			},
			wantBorough: southwark,
			wantErrs: map[string]string{
				"address.postcode":    "Enter a real UK postcode, like SE1 7PB",
				"annual_income_pence": "Annual income must be 0 or more",
			},
		},
		{
			name: "unconstituted group without host",
			edit: func(in *organisation.Input) {
				in.LegalForm = organisation.LegalFormUnconstitutedGroup
			},
			wantBorough: southwark,
			wantErrs:    map[string]string{"host_organisation_id": "An unconstituted group needs a host organisation"},
		},
		{
			name:        "host for a charity",
			edit:        func(in *organisation.Input) { in.HostOrganisationID = "org_123" },
			wantBorough: southwark,
			wantErrs:    map[string]string{"host_organisation_id": "Only an unconstituted group can have a host organisation"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			in := validInput()
			tt.edit(&in)
			gotBorough, gotErrs := in.Validate()
			if diff := cmp.Diff(tt.wantErrs, gotErrs); diff != "" {
				t.Errorf("Validate errors mismatch (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.wantBorough, gotBorough); diff != "" {
				t.Errorf("Validate borough mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestNormaliseThenValidate(t *testing.T) {
	t.Parallel()

	in := organisation.Input{
		Name:              " Deptford  Food Bank ",
		LegalForm:         "cio",
		CharityNumber:     " sc012345",
		Borough:           "LEWISHAM",
		Address:           organisation.Address{Line1: "2 High St", Town: "London", Postcode: "se8 4aa"},
		AnnualIncomePence: pence(0),
	}
	in.Normalise()
	b, errs := in.Validate()
	require.Nil(t, errs)
	require.Equal(t, organisation.Borough{Name: "Lewisham", GSS: "E09000023"}, b)
	require.Equal(t, "SE8 4AA", in.Address.Postcode)
}

func TestIdentifier(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ charity, company, want string }{
		{"1187342", "", "GB-CHC-1187342"},
		{"sc 012345", "", "GB-SC-SC012345"},
		{"", "01234567", "GB-COH-01234567"},
		{"1187342", "01234567", "GB-CHC-1187342"},
		{"", "sc123456", "GB-COH-SC123456"},
		{"", "", "360G-cityhall-org_1"},
	} {
		if got := organisation.Identifier(tc.charity, tc.company, "360G-cityhall", "org_1"); got != tc.want {
			t.Errorf("Identifier(%q, %q) = %q, want %q", tc.charity, tc.company, got, tc.want)
		}
	}
}
