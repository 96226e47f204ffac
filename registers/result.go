package registers

import (
	"context"
	"time"
)

// Sources: the registers an organisation is checked against.
const (
	SourceCharityCommission = "charity_commission"
	SourceCompaniesHouse    = "companies_house"
)

// Statuses of a check (DESIGN §10).
const (
	// StatusPassed: the register knows the organisation and it is live.
	StatusPassed = "passed"
	// StatusFailed: not on the register, removed, dissolved or insolvent.
	StatusFailed = "failed"
	// StatusNotRun: the register was not asked (no key configured, or no
	// register this system can ask for the number).
	StatusNotRun = "not_run"
	// StatusError: the register was asked and did not answer usefully
	// (time-out, 5xx, 429, garbage).
	StatusError = "error"
)

// Reasons of a not_run check.
const (
	ReasonNoKey  = "no key configured"
	ReasonQueued = "queued: the register has not been asked yet"
	ReasonOSCR   = "Scottish charities are registered by OSCR, which this system does not check"
)

// Address is a registered address as the register gives it, in the
// shape of an organisation's address.
type Address struct {
	Line1    string `json:"line1,omitempty"`
	Line2    string `json:"line2,omitempty"`
	Town     string `json:"town,omitempty"`
	Postcode string `json:"postcode,omitempty"`
}

// Details is what a check found, stored with it and shown to staff.
type Details struct {
	// Reason says, in words, why the check is not passed (or not run).
	Reason string `json:"reason,omitempty"`
	// RegisteredName is the name on the register.
	RegisteredName string `json:"registered_name,omitempty"`
	// RegisterStatus is the register's own status: "registered" or
	// "removed" for a charity; Companies House's company_status.
	RegisterStatus string `json:"register_status,omitempty"`
	// RegisteredAddress is the registered (office) address.
	RegisteredAddress *Address `json:"registered_address,omitempty"`
	// RemovedOn is when a charity left the register (YYYY-MM-DD).
	RemovedOn string `json:"removed_on,omitempty"`
	// DissolvedOn is a company's date of cessation (YYYY-MM-DD).
	DissolvedOn string `json:"dissolved_on,omitempty"`
	// Insolvent and InAdministration are the Charity Commission's flags.
	Insolvent        bool `json:"insolvent,omitempty"`
	InAdministration bool `json:"in_administration,omitempty"`
	// LatestIncomePence is the charity's latest income on the register.
	LatestIncomePence *int64 `json:"latest_income_pence,omitempty"`
	// LatestIncomeYearEnd is the end of the financial year it is for.
	LatestIncomeYearEnd string `json:"latest_income_year_end,omitempty"`
	// DeclaredIncomePence is what the organisation told us (set by the
	// caller, see Declare).
	DeclaredIncomePence *int64 `json:"declared_income_pence,omitempty"`
	// IncomeMismatch: the declared income differs from the register's
	// latest by more than IncomeTolerancePercent.
	IncomeMismatch bool `json:"income_mismatch,omitempty"`
	// AccountsOverdue is Companies House's accounts.overdue.
	AccountsOverdue *bool `json:"accounts_overdue,omitempty"`
	// HTTPStatus is the register's HTTP status on an error.
	HTTPStatus int `json:"http_status,omitempty"`
	// RetryAfterSeconds is what a 429 asked us to wait.
	RetryAfterSeconds int `json:"retry_after_seconds,omitempty"`
}

// Result is one register's answer about one number.
type Result struct {
	Source  string  `json:"source"`
	Number  string  `json:"number"`
	Status  string  `json:"status"`
	Details Details `json:"details"`
	// Cached: the answer came from the cache, fetched at FetchedAt.
	Cached    bool      `json:"-"`
	FetchedAt time.Time `json:"-"`
}

// IncomeTolerancePercent is how far a declared income may differ from the
// register's latest before the check says so (it never fails a check: a
// year's income moves).
const IncomeTolerancePercent = 25

// Declare records the organisation's declared income beside the
// register's latest and flags a difference beyond IncomeTolerancePercent.
func (d *Details) Declare(declaredPence int64) {
	d.DeclaredIncomePence = &declaredPence
	if d.LatestIncomePence == nil {
		return
	}
	diff := declaredPence - *d.LatestIncomePence
	if diff < 0 {
		diff = -diff
	}
	base := max(*d.LatestIncomePence, 1)
	d.IncomeMismatch = diff*100 > base*IncomeTolerancePercent
}

// Register is one register's client.
type Register interface {
	// Source names the register.
	Source() string
	// Configured reports whether the client has a key.
	Configured() bool
	// Lookup asks the register about a normalised number. It never
	// returns passed unless the register said so.
	Lookup(ctx context.Context, number string) Result
}

func notRun(source, number, reason string) Result {
	return Result{Source: source, Number: number, Status: StatusNotRun, Details: Details{Reason: reason}}
}

func errorResult(source, number string, httpStatus int, reason string) Result {
	return Result{Source: source, Number: number, Status: StatusError, Details: Details{Reason: reason, HTTPStatus: httpStatus}}
}

// Overdue reports whether the register says the accounts are overdue.
func (d Details) Overdue() bool { return d.AccountsOverdue != nil && *d.AccountsOverdue }

// SourceName is a register as people name it.
func SourceName(source string) string {
	switch source {
	case SourceCharityCommission:
		return "Charity Commission"
	case SourceCompaniesHouse:
		return "Companies House"
	}
	return source
}
