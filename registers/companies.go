package registers

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// DefaultCompaniesHouseURL is the Public Data API's base.
const DefaultCompaniesHouseURL = "https://api.company-information.service.gov.uk"

// CompaniesHouse is a client of Companies House's Public Data API: GET
// {BaseURL}/company/{number} with HTTP Basic authentication, the key as
// user name and an empty password. Requests wait for the Limiter (600
// per 5 minutes by default); a 429's Retry-After pauses it.
type CompaniesHouse struct {
	BaseURL string        // default DefaultCompaniesHouseURL
	Key     string        // "" → every lookup is not_run
	HTTP    *http.Client  // default http.DefaultClient
	Timeout time.Duration // per request; default DefaultTimeout
	Limiter *Limiter      // default NewLimiter(600, 5*time.Minute), made on first use

	once sync.Once // makes the default Limiter once, however many lookups run at once
}

// limiter is the client's Limiter, the default made on first use.
func (c *CompaniesHouse) limiter() *Limiter {
	c.once.Do(func() {
		if c.Limiter == nil {
			c.Limiter = NewLimiter(CompaniesHouseRequests, CompaniesHouseWindow)
		}
	})
	return c.Limiter
}

// companyProfile is the part of GET /company/{number} we read.
type companyProfile struct {
	CompanyName             string `json:"company_name"`
	CompanyNumber           string `json:"company_number"`
	CompanyStatus           string `json:"company_status"`
	CompanyStatusDetail     string `json:"company_status_detail"`
	DateOfCessation         string `json:"date_of_cessation"`
	HasInsolvencyHistory    bool   `json:"has_insolvency_history"`
	RegisteredOfficeAddress *struct {
		AddressLine1 string `json:"address_line_1"`
		AddressLine2 string `json:"address_line_2"`
		Locality     string `json:"locality"`
		PostalCode   string `json:"postal_code"`
	} `json:"registered_office_address"`
	Accounts *struct {
		Overdue *bool `json:"overdue"`
	} `json:"accounts"`
}

// failingCompanyStatuses are the company_status values that fail a check:
// the company is gone or insolvent.
var failingCompanyStatuses = map[string]string{
	"dissolved":              "the company is dissolved",
	"liquidation":            "the company is in liquidation",
	"administration":         "the company is in administration",
	"receivership":           "the company is in receivership",
	"insolvency-proceedings": "the company is in insolvency proceedings",
	"converted-closed":       "the company is closed (converted)",
	"closed":                 "the company is closed",
	"removed":                "the company was removed from the register",
}

// passingCompanyStatuses are live companies.
var passingCompanyStatuses = map[string]bool{"active": true, "open": true, "voluntary-arrangement": true, "registered": true}

// Source names the register.
func (c *CompaniesHouse) Source() string { return SourceCompaniesHouse }

// Configured reports whether a key is set.
func (c *CompaniesHouse) Configured() bool { return c != nil && c.Key != "" }

// Lookup asks Companies House about a company number (normalised).
func (c *CompaniesHouse) Lookup(ctx context.Context, number string) Result {
	src := SourceCompaniesHouse
	if !c.Configured() {
		return notRun(src, number, ReasonNoKey)
	}
	lim := c.limiter()
	base := c.BaseURL
	if base == "" {
		base = DefaultCompaniesHouseURL
	}
	req, err := http.NewRequest(http.MethodGet, strings.TrimRight(base, "/")+"/company/"+url.PathEscape(number), nil)
	if err != nil {
		return errorResult(src, number, 0, "the register's address is not valid")
	}
	req.SetBasicAuth(c.Key, "")
	if err := lim.Wait(ctx); err != nil {
		return errorResult(src, number, http.StatusTooManyRequests, err.Error())
	}
	a, err := get(ctx, c.HTTP, c.Timeout, req)
	if err != nil {
		return errorResult(src, number, 0, err.Error())
	}
	if a.status == http.StatusTooManyRequests {
		lim.PauseFor(time.Duration(max(a.retryAfter, 1)) * time.Second)
	}
	return companyAnswer(number, a)
}

// companyAnswer is what Companies House's answer about number means.
func companyAnswer(number string, a answer) Result {
	src := SourceCompaniesHouse
	switch a.status {
	case http.StatusOK:
	case http.StatusNotFound:
		return Result{Source: src, Number: number, Status: StatusFailed, Details: Details{Reason: "not on the register"}}
	default:
		return unexpected(src, number, a)
	}
	var p companyProfile
	if err := json.Unmarshal(a.body, &p); err != nil {
		return errorResult(src, number, a.status, "the register's answer could not be read")
	}
	if p.CompanyStatus == "" || p.CompanyName == "" {
		return errorResult(src, number, a.status, "the register's answer had no company in it")
	}
	return companyResult(number, p)
}

// companyResult is what a company profile means.
func companyResult(number string, p companyProfile) Result {
	det := Details{RegisteredName: strings.TrimSpace(p.CompanyName), RegisterStatus: p.CompanyStatus, DissolvedOn: p.DateOfCessation}
	if ro := p.RegisteredOfficeAddress; ro != nil {
		det.RegisteredAddress = &Address{Line1: ro.AddressLine1, Line2: ro.AddressLine2, Town: ro.Locality, Postcode: ro.PostalCode}
	}
	if p.Accounts != nil && p.Accounts.Overdue != nil {
		det.AccountsOverdue = p.Accounts.Overdue
	}
	status := StatusPassed
	if why, bad := failingCompanyStatuses[p.CompanyStatus]; bad {
		status, det.Reason = StatusFailed, why
		if p.DateOfCessation != "" {
			det.Reason += " (since " + p.DateOfCessation + ")"
		}
	} else if !passingCompanyStatuses[p.CompanyStatus] {
		status, det.Reason = StatusError, "the register gave a status this system does not know: "+p.CompanyStatus
	}
	return Result{Source: SourceCompaniesHouse, Number: number, Status: status, Details: det}
}
