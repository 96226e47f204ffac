package opendata

import (
	"regexp"
	"strings"
	"time"
)

// Finding is one problem 360Giving's Data Quality Tool would report about
// a grant.
type Finding struct {
	// GrantID is the grant's 360Giving id.
	GrantID string
	// Check names the test (as in the tool's documentation).
	Check string
	// Message says what is wrong.
	Message string
}

// orgIDPrefixes are the org-id list prefixes a UK recipient's identifier
// may use here (org-id.guide), and 360G- for an organisation identified
// by its funder.
var orgIDPrefixes = []string{"GB-CHC-", "GB-SC-", "GB-NIC-", "GB-COH-", "GB-MPR-", "GB-LAE-", "GB-EDU-", "360G-"}

// ukPostcode is a UK postcode in its usual written form.
var ukPostcode = regexp.MustCompile(`^(GIR 0AA|[A-Z]{1,2}[0-9][0-9A-Z]? [0-9][A-Z]{2})$`)

// charityNumber is a charity number as the registers write it (England
// and Wales: digits; Scotland: SC and six digits).
var charityNumber = regexp.MustCompile(`^([0-9]{6,8}|SC[0-9]{6})$`)

// companyNumber is a Companies House number.
var companyNumber = regexp.MustCompile(`^([0-9]{8}|[A-Z]{2}[0-9]{6})$`)

// EmailAddress finds an e-mail address in free text (a person's data,
// never published: Build removes it).
var EmailAddress = regexp.MustCompile(`[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}`)

// hasEmail reports whether text holds an e-mail address. An address needs
// an "@": text without one (nearly all) skips the regular expression,
// whose scan of a long summary is the export's largest cost.
func hasEmail(text string) bool {
	return strings.Contains(text, "@") && EmailAddress.MatchString(text)
}

// withoutEmails is text with each e-mail address replaced by
// emailRemoved; text without an "@" as it is.
func withoutEmails(text string) string {
	if !strings.Contains(text, "@") {
		return text
	}
	return EmailAddress.ReplaceAllString(text, emailRemoved)
}

// Check runs the Data Quality Tool's quality and usefulness tests that
// apply to one grant and returns what they find (nil: none). now is the
// time of publication: awards may not be dated after it.
func Check(g Grant, now time.Time) []Finding {
	var out []Finding
	add := func(check, msg string) { out = append(out, Finding{GrantID: g.ID, Check: check, Message: msg}) }
	if !strings.HasPrefix(g.ID, "360G-") {
		add("grant_id_prefix", "the identifier does not start with a registered 360G- prefix")
	} else if len(g.FundingOrganization) > 0 && !strings.HasPrefix(g.ID, g.FundingOrganization[0].ID+"-") {
		add("grant_id_prefix", "the identifier does not start with the funder's prefix")
	}
	if strings.TrimSpace(g.Title) == "" || strings.TrimSpace(g.Description) == "" {
		add("title_description", "title or description is empty")
	} else if strings.EqualFold(strings.TrimSpace(g.Title), strings.TrimSpace(g.Description)) {
		add("title_description_same", "title and description are the same")
	}
	if len(g.Title) > 140 {
		add("title_length", "title longer than 140 characters")
	}
	if g.AmountAwarded == "" || strings.Trim(string(g.AmountAwarded), "0.") == "" {
		add("zero_amount", "amount awarded is zero")
	}
	if d, err := time.Parse(time.DateOnly, g.AwardDate); err != nil {
		add("award_date", "award date missing or not a date")
	} else if d.After(now) {
		add("award_date_future", "award date is in the future")
	}
	if len(g.RecipientOrganization) == 0 {
		add("recipient", "no recipient organisation")
	} else {
		r := g.RecipientOrganization[0]
		if !hasAnyPrefix(r.ID, orgIDPrefixes) {
			add("recipient_org_prefix", "recipient org identifier does not use a recognised org-id prefix")
		}
		if strings.HasPrefix(r.ID, "360G-") && (r.CharityNumber != "" || r.CompanyNumber != "") {
			add("recipient_360g_id", "recipient has a charity or company number but a 360G- identifier")
		}
		if r.CharityNumber != "" && !charityNumber.MatchString(r.CharityNumber) {
			add("charity_number", "charity number is not in the register's format")
		}
		if r.CompanyNumber != "" && !companyNumber.MatchString(r.CompanyNumber) {
			add("company_number", "company number is not in the register's format")
		}
		if !ukPostcode.MatchString(r.PostalCode) {
			add("recipient_postcode", "recipient has no valid postcode")
		}
	}
	if len(g.BeneficiaryLocation) == 0 || g.BeneficiaryLocation[0].GeoCode == "" {
		add("beneficiary_location", "no beneficiary location with a geographic code")
	}
	if len(g.GrantProgramme) == 0 || g.GrantProgramme[0].Title == "" {
		add("grant_programme", "no grant programme")
	}
	if len(g.PlannedDates) == 0 || g.PlannedDates[0].Duration == 0 {
		add("planned_dates", "no planned dates with a duration")
	}
	if len(g.FundingOrganization) != 1 || !hasAnyPrefix(g.FundingOrganization[0].ID, orgIDPrefixes) {
		add("funding_org", "not exactly one funding org with a recognised org-id prefix")
	}
	if hasEmail(g.Title) || hasEmail(g.Description) {
		add("looks_like_email", "title or description contains an e-mail address")
	}
	if len(g.PlannedDates) > 0 && g.PlannedDates[0].EndDate != "" && g.PlannedDates[0].EndDate < g.PlannedDates[0].StartDate {
		add("impossible_dates", "planned end before planned start")
	}
	if g.DateModified == "" {
		add("no_last_modified", "no last modified date")
	}
	if g.DataSource == "" {
		add("no_data_source", "no data source")
	}
	if g.FromOpenCall == "" {
		add("from_open_call", "from an open call not stated")
	}
	return out
}

func hasAnyPrefix(s string, prefixes []string) bool {
	for _, p := range prefixes {
		if strings.HasPrefix(s, p) && len(s) > len(p) {
			return true
		}
	}
	return false
}
