package registers

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/civicgrants/grants/money"
)

// DefaultCharityCommissionURL is the Register of Charities API's base.
const DefaultCharityCommissionURL = "https://api.charitycommission.gov.uk/register/api"

// CharityCommission is a client of the Charity Commission's Register of
// Charities API: GET {BaseURL}/allcharitydetailsV2/{number}/0 (the main
// charity, suffix 0) with the key in the Ocp-Apim-Subscription-Key header.
type CharityCommission struct {
	BaseURL string        // default DefaultCharityCommissionURL
	Key     string        // "" → every lookup is not_run
	HTTP    *http.Client  // default http.DefaultClient
	Timeout time.Duration // per request; default DefaultTimeout
}

// charityDetails is the part of allcharitydetailsV2's answer we read.
type charityDetails struct {
	RegCharityNumber     json.Number `json:"reg_charity_number"`
	CharityName          string      `json:"charity_name"`
	RegStatus            string      `json:"reg_status"` // R registered, RM removed
	DateOfRemoval        *string     `json:"date_of_removal"`
	Insolvent            bool        `json:"insolvent"`
	InAdministration     bool        `json:"in_administration"`
	LatestIncome         json.Number `json:"latest_income"` // pounds; read exactly, never through a float
	LatestAccFinYearEnd  *string     `json:"latest_acc_fin_year_end_date"`
	AddressLineOne       string      `json:"address_line_one"`
	AddressLineTwo       string      `json:"address_line_two"`
	AddressLineThree     string      `json:"address_line_three"`
	AddressLineFour      string      `json:"address_line_four"`
	AddressLineFive      string      `json:"address_line_five"`
	AddressPostCode      string      `json:"address_post_code"`
	CharityCoRegNumber   *string     `json:"charity_co_reg_number"`
	RegistrationDateText *string     `json:"date_of_registration"`
}

// Source names the register.
func (c *CharityCommission) Source() string { return SourceCharityCommission }

// Configured reports whether a key is set.
func (c *CharityCommission) Configured() bool { return c != nil && c.Key != "" }

// Lookup asks the register about a charity number (normalised). A
// Scottish number (SC…) is OSCR's: not_run.
func (c *CharityCommission) Lookup(ctx context.Context, number string) Result {
	src := SourceCharityCommission
	if strings.HasPrefix(number, "SC") {
		return notRun(src, number, ReasonOSCR)
	}
	if !c.Configured() {
		return notRun(src, number, ReasonNoKey)
	}
	base := c.BaseURL
	if base == "" {
		base = DefaultCharityCommissionURL
	}
	req, err := http.NewRequest(http.MethodGet, strings.TrimRight(base, "/")+"/allcharitydetailsV2/"+url.PathEscape(number)+"/0", nil)
	if err != nil {
		return errorResult(src, number, 0, "the register's address is not valid")
	}
	req.Header.Set("Ocp-Apim-Subscription-Key", c.Key)
	req.Header.Set("Cache-Control", "no-cache")
	a, err := get(ctx, c.HTTP, c.Timeout, req)
	if err != nil {
		return errorResult(src, number, 0, err.Error())
	}
	return charityAnswer(number, a)
}

// charityAnswer is what the register's answer about number means.
func charityAnswer(number string, a answer) Result {
	src := SourceCharityCommission
	if a.status == http.StatusNotFound {
		return Result{Source: src, Number: number, Status: StatusFailed, Details: Details{Reason: "not on the register"}}
	}
	if a.status != http.StatusOK {
		return unexpected(src, number, a)
	}
	body := bytes.TrimSpace(a.body)
	if string(body) == "null" || string(body) == "{}" || len(body) == 0 {
		// The register answers an unknown number with an empty body.
		return Result{Source: src, Number: number, Status: StatusFailed, Details: Details{Reason: "not on the register"}}
	}
	var d charityDetails
	if err := json.Unmarshal(body, &d); err != nil {
		return errorResult(src, number, a.status, "the register's answer could not be read")
	}
	if d.CharityName == "" && d.RegStatus == "" {
		return errorResult(src, number, a.status, "the register's answer had no charity in it")
	}
	return charityResult(number, d)
}

// charityResult is what a charity's details mean.
func charityResult(number string, d charityDetails) Result {
	det := Details{RegisteredName: strings.TrimSpace(d.CharityName), Insolvent: d.Insolvent, InAdministration: d.InAdministration}
	det.RegisteredAddress = charityAddress(d)
	if p, err := money.ParsePounds(d.LatestIncome.String()); err == nil {
		det.LatestIncomePence = &p
	}
	if d.LatestAccFinYearEnd != nil {
		det.LatestIncomeYearEnd = day(*d.LatestAccFinYearEnd)
	}
	status := StatusPassed
	switch strings.ToUpper(strings.TrimSpace(d.RegStatus)) {
	case "R":
		det.RegisterStatus = "registered"
	case "RM":
		det.RegisterStatus = "removed"
		status = StatusFailed
		det.Reason = "removed from the register"
		if d.DateOfRemoval != nil && *d.DateOfRemoval != "" {
			det.RemovedOn = day(*d.DateOfRemoval)
			det.Reason += " on " + det.RemovedOn
		}
	default:
		det.RegisterStatus = d.RegStatus
		status = StatusError
		det.Reason = "the register gave a status this system does not know: " + d.RegStatus
	}
	if status == StatusPassed {
		switch {
		case d.Insolvent:
			status, det.Reason = StatusFailed, "the charity is recorded as insolvent"
		case d.InAdministration:
			status, det.Reason = StatusFailed, "the charity is recorded as in administration"
		}
	}
	return Result{Source: SourceCharityCommission, Number: number, Status: status, Details: det}
}

// charityAddress folds the register's five address lines into an
// address: the last non-empty line before the postcode is the town.
func charityAddress(d charityDetails) *Address {
	var lines []string
	for _, l := range []string{d.AddressLineOne, d.AddressLineTwo, d.AddressLineThree, d.AddressLineFour, d.AddressLineFive} {
		if l = strings.TrimSpace(l); l != "" {
			lines = append(lines, l)
		}
	}
	if len(lines) == 0 && d.AddressPostCode == "" {
		return nil
	}
	a := &Address{Postcode: strings.TrimSpace(d.AddressPostCode)}
	if len(lines) > 0 {
		a.Line1 = lines[0]
	}
	if len(lines) > 1 {
		a.Town = lines[len(lines)-1]
		a.Line2 = strings.Join(lines[1:len(lines)-1], ", ")
	}
	return a
}

// day keeps the date of a register's timestamp ("2021-03-31T00:00:00").
func day(s string) string {
	s = strings.TrimSpace(s)
	if len(s) >= 10 {
		return s[:10]
	}
	return s
}
