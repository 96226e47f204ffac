// Package opendata turns awarded grants into 360Giving open data: the
// grant record of the 360Giving Data Standard (1.4), its flat CSV form, a
// streaming JSON package writer that holds one grant at a time, and the
// data-quality checks of 360Giving's Data Quality Tool that a funder's own
// data can fail. It holds no SQL and no rules about who may see what.
package opendata

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/civicgrants/grants/money"
)

// Currency is the currency of every amount (pounds sterling).
const Currency = "GBP"

// GeoCodeTypeLAD is the 360Giving geoCodeType of a local authority
// district; a London borough's GSS code (E09…) is one.
const GeoCodeTypeLAD = "LAD"

// Source is one awarded grant as the system holds it: plain values, no
// person's data (no names of people, no e-mail addresses).
type Source struct {
	// GrantID is the system's grant id; the 360Giving id is
	// GivingPrefix + "-" + GrantID.
	GrantID string
	// GivingPrefix is the funder's registered prefix, with its "360G-".
	GivingPrefix string
	// FunderName names the funder (fundingOrganization).
	FunderName string
	// ProgrammeCode and ProgrammeName are the grant programme.
	ProgrammeCode, ProgrammeName string
	// RecipientID is the lead organisation's org-id
	// (organisation.Identifier); RecipientName its name.
	RecipientID, RecipientName string
	// CharityNumber and CompanyNumber are the recipient's registrations
	// ("" when it has none).
	CharityNumber, CompanyNumber string
	// Postcode and Town are from the recipient's address.
	Postcode, Town string
	// BoroughName and BoroughGSS locate the beneficiaries (the lead
	// organisation's London borough).
	BoroughName, BoroughGSS string
	// ProjectTitle is the applicant's title for the project, if the form
	// asked for one; Summary its summary answer.
	ProjectTitle, Summary string
	// AppliedPence, AwardedPence and DisbursedPence are the amounts
	// (AppliedPence nil when unknown).
	AppliedPence                 *int64
	AwardedPence, DisbursedPence int64
	// AwardDate is when the award was made (the offer).
	AwardDate time.Time
	// Start is the planned start; Months the planned duration (0: none).
	Start  time.Time
	Months int
	// Modified is when the grant's data last changed.
	Modified time.Time
}

// Grant is one 360Giving grant record, in the standard's field names.
type Grant struct {
	ID                    string         `json:"id"`
	Title                 string         `json:"title"`
	Description           string         `json:"description"`
	Currency              string         `json:"currency"`
	AmountAppliedFor      json.Number    `json:"amountAppliedFor,omitempty"`
	AmountAwarded         json.Number    `json:"amountAwarded"`
	AmountDisbursed       json.Number    `json:"amountDisbursed"`
	AwardDate             string         `json:"awardDate"`
	PlannedDates          []Event        `json:"plannedDates,omitempty"`
	RecipientOrganization []Organization `json:"recipientOrganization"`
	FundingOrganization   []Organization `json:"fundingOrganization"`
	GrantProgramme        []Programme    `json:"grantProgramme"`
	BeneficiaryLocation   []Location     `json:"beneficiaryLocation,omitempty"`
	FromOpenCall          string         `json:"fromOpenCall"`
	DateModified          string         `json:"dateModified"`
	DataSource            string         `json:"dataSource,omitempty"`
	// Extensions holds fields added by 360Giving extensions (the DEI
	// extension's "dei" object, for example); each key is written as a
	// field of the grant. Nil here: equality monitoring fills it.
	Extensions map[string]any `json:"-"`
}

// Event is a planned period: start, end and duration in months.
type Event struct {
	StartDate string `json:"startDate"`
	EndDate   string `json:"endDate,omitempty"`
	Duration  int    `json:"duration,omitempty"`
}

// Organization is a recipient or a funder.
type Organization struct {
	ID              string `json:"id"`
	Name            string `json:"name"`
	CharityNumber   string `json:"charityNumber,omitempty"`
	CompanyNumber   string `json:"companyNumber,omitempty"`
	PostalCode      string `json:"postalCode,omitempty"`
	AddressLocality string `json:"addressLocality,omitempty"`
	AddressCountry  string `json:"addressCountry,omitempty"`
}

// Programme is the grant programme.
type Programme struct {
	Code  string `json:"code"`
	Title string `json:"title"`
}

// Location is where the beneficiaries are.
type Location struct {
	Name        string `json:"name"`
	CountryCode string `json:"countryCode"`
	GeoCode     string `json:"geoCode"`
	GeoCodeType string `json:"geoCodeType"`
}

// Pounds is pence as a 360Giving amount: decimal pounds, formatted from
// the integer (never through a float), e.g. 150000 → 1500.00.
func Pounds(pence int64) json.Number { return json.Number(money.Decimal(pence)) }

// emailRemoved stands where an applicant wrote an e-mail address.
const emailRemoved = "[e-mail address removed]"

// Build makes the 360Giving record of s (an e-mail address in the title or
// summary is removed). dataSource is the address the
// data is published at ("" to leave it out).
func Build(s Source, dataSource string) Grant {
	title := strings.TrimSpace(s.ProjectTitle)
	if title == "" {
		title = s.RecipientName + " – " + s.ProgrammeName
	}
	description := strings.TrimSpace(s.Summary)
	if description == "" {
		description = fmt.Sprintf("A %s grant from %s to %s.", s.ProgrammeName, s.FunderName, s.RecipientName)
	}
	title, description = withoutEmails(title), withoutEmails(description)
	g := Grant{
		ID: s.GivingPrefix + "-" + s.GrantID, Title: title, Description: description, Currency: Currency,
		AmountAwarded: Pounds(s.AwardedPence), AmountDisbursed: Pounds(s.DisbursedPence),
		AwardDate: londonDate(s.AwardDate),
		RecipientOrganization: []Organization{{ID: s.RecipientID, Name: s.RecipientName,
			CharityNumber: s.CharityNumber, CompanyNumber: s.CompanyNumber,
			PostalCode: s.Postcode, AddressLocality: s.Town, AddressCountry: "United Kingdom"}},
		FundingOrganization: []Organization{{ID: s.GivingPrefix, Name: s.FunderName}},
		GrantProgramme:      []Programme{{Code: s.ProgrammeCode, Title: s.ProgrammeName}},
		FromOpenCall:        "Yes",
		DateModified:        s.Modified.UTC().Format(time.RFC3339),
		DataSource:          dataSource,
	}
	if s.AppliedPence != nil {
		g.AmountAppliedFor = Pounds(*s.AppliedPence)
	}
	if !s.Start.IsZero() {
		e := Event{StartDate: londonDate(s.Start)}
		if s.Months > 0 {
			e.Duration = s.Months
			e.EndDate = londonDate(s.Start.AddDate(0, s.Months, -1))
		}
		g.PlannedDates = []Event{e}
	}
	if s.BoroughGSS != "" {
		g.BeneficiaryLocation = []Location{{Name: s.BoroughName, CountryCode: "GB", GeoCode: s.BoroughGSS, GeoCodeType: GeoCodeTypeLAD}}
	}
	return g
}

// london is the funder's time zone: dates are London dates.
var london = mustLondon()

func mustLondon() *time.Location {
	l, err := time.LoadLocation("Europe/London")
	if err != nil {
		panic(fmt.Sprintf("opendata: %v", err))
	}
	return l
}

func londonDate(t time.Time) string { return t.In(london).Format(time.DateOnly) }

// MarshalJSON writes the grant with its extension fields.
func (g Grant) MarshalJSON() ([]byte, error) {
	type plain Grant
	b, err := json.Marshal(plain(g))
	if err != nil || len(g.Extensions) == 0 {
		return b, err
	}
	ext, err := json.Marshal(g.Extensions)
	if err != nil {
		return nil, fmt.Errorf("extensions: %w", err)
	}
	if len(ext) <= 2 {
		return b, nil
	}
	return append(append(b[:len(b)-1], ','), ext[1:]...), nil
}

// CSVHeader is the header row of the 360Giving flat CSV (the standard's
// column titles).
var CSVHeader = []string{"Identifier", "Title", "Description", "Currency", "Amount Applied For", "Amount Awarded",
	"Amount Disbursed", "Award Date", "Planned Dates:Start Date", "Planned Dates:End Date", "Planned Dates:Duration (months)",
	"Recipient Org:Identifier", "Recipient Org:Name", "Recipient Org:Charity Number", "Recipient Org:Company Number",
	"Recipient Org:Postal Code", "Recipient Org:City", "Recipient Org:Country",
	"Beneficiary Location:Name", "Beneficiary Location:Country Code", "Beneficiary Location:Geographic Code",
	"Beneficiary Location:Geographic Code Type", "Funding Org:Identifier", "Funding Org:Name",
	"Grant Programme:Code", "Grant Programme:Title", "From An Open Call?", "Last Modified", "Data Source"}

// CSVRecord is g as one row under CSVHeader (cells not yet defused).
func CSVRecord(g Grant) []string {
	var e Event
	if len(g.PlannedDates) > 0 {
		e = g.PlannedDates[0]
	}
	var l Location
	if len(g.BeneficiaryLocation) > 0 {
		l = g.BeneficiaryLocation[0]
	}
	r, f, p := g.RecipientOrganization[0], g.FundingOrganization[0], g.GrantProgramme[0]
	duration := ""
	if e.Duration > 0 {
		duration = strconv.Itoa(e.Duration)
	}
	return []string{g.ID, g.Title, g.Description, g.Currency, string(g.AmountAppliedFor), string(g.AmountAwarded),
		string(g.AmountDisbursed), g.AwardDate, e.StartDate, e.EndDate, duration,
		r.ID, r.Name, r.CharityNumber, r.CompanyNumber, r.PostalCode, r.AddressLocality, r.AddressCountry,
		l.Name, l.CountryCode, l.GeoCode, l.GeoCodeType, f.ID, f.Name, p.Code, p.Title, g.FromOpenCall, g.DateModified, g.DataSource}
}
