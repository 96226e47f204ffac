package organisation

import (
	"strings"
	"unicode/utf8"
)

// Legal forms an organisation may have.
const (
	// LegalFormCharity is a charitable trust or association registered with a
	// charity regulator.
	LegalFormCharity = "charity"
	// LegalFormCIO is a charitable incorporated organisation.
	LegalFormCIO = "cio"
	// LegalFormCompany is a company, typically limited by guarantee.
	LegalFormCompany = "company"
	// LegalFormCIC is a community interest company.
	LegalFormCIC = "cic"
	// LegalFormCommunityGroup is a constituted group that is not registered.
	LegalFormCommunityGroup = "community_group"
	// LegalFormUnconstitutedGroup is an informal group; it needs a host
	// organisation to receive money on its behalf.
	LegalFormUnconstitutedGroup = "unconstituted_group"
)

// LegalForms lists every legal form, in the order a form should offer them.
var LegalForms = []string{
	LegalFormCharity,
	LegalFormCIO,
	LegalFormCompany,
	LegalFormCIC,
	LegalFormCommunityGroup,
	LegalFormUnconstitutedGroup,
}

// Limits on the length, in characters, of free-text fields.
const (
	// MaxNameLength is the longest organisation name accepted.
	MaxNameLength = 200
	// MaxAddressLineLength is the longest address line or town accepted.
	MaxAddressLineLength = 200
)

// Address is a UK postal address.
type Address struct {
	// Line1 is the first line of the address; required.
	Line1 string `json:"line1"`
	// Line2 is an optional second line.
	Line2 string `json:"line2,omitempty"`
	// Town is the town or city; required.
	Town string `json:"town"`
	// Postcode is a UK postcode, stored as "SE1 7PB".
	Postcode string `json:"postcode"`
}

// Input is what a client sends to create or edit an organisation.
type Input struct {
	// Name is the organisation's name, 1 to MaxNameLength characters.
	Name string `json:"name"`
	// LegalForm is one of LegalForms.
	LegalForm string `json:"legal_form"`
	// CharityNumber is required for charities and CIOs, optional otherwise.
	CharityNumber string `json:"charity_number,omitempty"`
	// CompanyNumber is required for companies and CICs, optional otherwise.
	CompanyNumber string `json:"company_number,omitempty"`
	// Borough names one of the 33 London local authorities.
	Borough string `json:"borough"`
	// Address is where the organisation is based.
	Address Address `json:"address"`
	// AnnualIncomePence is the latest annual income in pence; required, ≥ 0.
	AnnualIncomePence *int64 `json:"annual_income_pence"`
	// HostOrganisationID is the organisation that holds money for an
	// unconstituted group; required for that form and not allowed otherwise.
	HostOrganisationID string `json:"host_organisation_id,omitempty"`
}

// Normalise tidies the input in place: every string is trimmed, charity and
// company numbers are upper-cased with spaces removed, and a valid postcode is
// put in its canonical form (an invalid one is only trimmed and upper-cased so
// Validate can report it).
func (in *Input) Normalise() {
	in.Name = strings.TrimSpace(in.Name)
	in.LegalForm = strings.TrimSpace(in.LegalForm)
	in.CharityNumber = NormaliseNumber(in.CharityNumber)
	in.CompanyNumber = NormaliseNumber(in.CompanyNumber)
	in.Borough = strings.TrimSpace(in.Borough)
	in.Address.Line1 = strings.TrimSpace(in.Address.Line1)
	in.Address.Line2 = strings.TrimSpace(in.Address.Line2)
	in.Address.Town = strings.TrimSpace(in.Address.Town)
	if pc, ok := NormalisePostcode(in.Address.Postcode); ok {
		in.Address.Postcode = pc
	} else {
		in.Address.Postcode = strings.ToUpper(strings.TrimSpace(in.Address.Postcode))
	}
	in.HostOrganisationID = strings.TrimSpace(in.HostOrganisationID)
}

// Validate checks a normalised input and returns the borough it names. The
// map holds a message for every field that is wrong, keyed by its JSON path
// (such as "charity_number" or "address.postcode"); it is nil when the input
// is valid. Whether the host organisation exists and consents is for the
// caller to check.
func (in Input) Validate() (Borough, map[string]string) {
	errs := map[string]string{}

	switch n := utf8.RuneCountInString(in.Name); {
	case strings.TrimSpace(in.Name) == "":
		errs["name"] = "Enter the organisation's name"
	case n > MaxNameLength:
		errs["name"] = "Name must be 200 characters or fewer"
	}

	needsCharity, needsCompany, needsHost := false, false, false
	switch in.LegalForm {
	case LegalFormCharity, LegalFormCIO:
		needsCharity = true
	case LegalFormCompany, LegalFormCIC:
		needsCompany = true
	case LegalFormUnconstitutedGroup:
		needsHost = true
	case LegalFormCommunityGroup:
	case "":
		errs["legal_form"] = "Choose a legal form"
	default:
		errs["legal_form"] = "Legal form must be one of " + strings.Join(LegalForms, ", ")
	}

	switch {
	case in.CharityNumber == "" && needsCharity:
		errs["charity_number"] = "Enter the charity number"
	case in.CharityNumber != "" && !ValidCharityNumber(in.CharityNumber):
		errs["charity_number"] = "Charity number must be 6 to 8 digits, or SC followed by 6 digits"
	}

	switch {
	case in.CompanyNumber == "" && needsCompany:
		errs["company_number"] = "Enter the company number"
	case in.CompanyNumber != "" && !ValidCompanyNumber(in.CompanyNumber):
		errs["company_number"] = "Company number must be 8 letters or digits, like 01234567"
	}

	borough, ok := LookupBorough(in.Borough)
	switch {
	case strings.TrimSpace(in.Borough) == "":
		errs["borough"] = "Enter the borough"
	case !ok:
		errs["borough"] = "Borough must be a London borough or the City of London"
	}

	CheckAddress(in.Address, "address.", errs)

	switch {
	case in.AnnualIncomePence == nil:
		errs["annual_income_pence"] = "Enter the annual income"
	case *in.AnnualIncomePence < 0:
		errs["annual_income_pence"] = "Annual income must be 0 or more"
	}

	switch {
	case needsHost && in.HostOrganisationID == "":
		errs["host_organisation_id"] = "An unconstituted group needs a host organisation"
	case !needsHost && in.HostOrganisationID != "" && errs["legal_form"] == "":
		errs["host_organisation_id"] = "Only an unconstituted group can have a host organisation"
	}

	if len(errs) == 0 {
		return borough, nil
	}
	return borough, errs
}

// CheckAddress checks a postal address, writing a message per field at
// fault into errs under prefix ("address." gives "address.postcode").
func CheckAddress(a Address, prefix string, errs map[string]string) {
	checkLine := func(key, value, missing string) {
		switch {
		case strings.TrimSpace(value) == "" && missing != "":
			errs[prefix+key] = missing
		case utf8.RuneCountInString(value) > MaxAddressLineLength:
			errs[prefix+key] = "Must be 200 characters or fewer"
		}
	}
	checkLine("line1", a.Line1, "Enter the first line of the address")
	checkLine("line2", a.Line2, "")
	checkLine("town", a.Town, "Enter the town or city")
	if strings.TrimSpace(a.Postcode) == "" {
		errs[prefix+"postcode"] = "Enter the postcode"
	} else if _, ok := NormalisePostcode(a.Postcode); !ok {
		errs[prefix+"postcode"] = "Enter a real UK postcode, like SE1 7PB"
	}
}
