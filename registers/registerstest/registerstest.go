// Package registerstest runs local HTTP servers that answer in the
// documented JSON shapes of the Charity Commission's Register of
// Charities API (GET /allcharitydetailsV2/{number}/{suffix}) and
// Companies House's Public Data API (GET /company/{number}), for tests.
// Each number answers as it is set up: a record, 404, 429 with
// Retry-After, 500, garbage, or slowly; every request is recorded with
// the credentials it carried.
package registerstest

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"time"
)

// Answer is how a number is answered.
type Answer struct {
	// Status is the HTTP status (default 200).
	Status int
	// Body is sent as is when set; else JSON is the record to encode.
	Body string
	JSON any
	// RetryAfter is sent as Retry-After (seconds) when set.
	RetryAfter string
	// Delay holds the answer back (a slow register); the handler gives up
	// early when the client goes away.
	Delay time.Duration
}

// Request is what the server was asked.
type Request struct {
	Path      string
	Key       string // Ocp-Apim-Subscription-Key
	BasicUser string
	BasicPass string
	HasBasic  bool
}

// Server is a fake register.
type Server struct {
	*httptest.Server
	mu       sync.Mutex
	answers  map[string]Answer
	requests []Request
}

// Set makes number answer a.
func (s *Server) Set(number string, a Answer) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.answers[number] = a
}

// Requests returns what the server was asked, in order.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Request(nil), s.requests...)
}

func newServer(number func(path string) (string, bool)) *Server {
	s := &Server{answers: map[string]Answer{}}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		user, pass, ok := r.BasicAuth()
		s.mu.Lock()
		s.requests = append(s.requests, Request{Path: r.URL.Path, Key: r.Header.Get("Ocp-Apim-Subscription-Key"),
			BasicUser: user, BasicPass: pass, HasBasic: ok})
		n, found := number(r.URL.Path)
		a, known := s.answers[n]
		s.mu.Unlock()
		if !found || !known {
			a = Answer{Status: http.StatusNotFound, JSON: notFoundBody(r.URL.Path)}
		}
		if a.Delay > 0 {
			select {
			case <-time.After(a.Delay):
			case <-r.Context().Done():
				return
			}
		}
		w.Header().Set("Content-Type", "application/json")
		if a.RetryAfter != "" {
			w.Header().Set("Retry-After", a.RetryAfter)
		}
		status := a.Status
		if status == 0 {
			status = http.StatusOK
		}
		w.WriteHeader(status)
		if a.Body != "" {
			_, _ = w.Write([]byte(a.Body))
			return
		}
		if a.JSON != nil {
			_ = json.NewEncoder(w).Encode(a.JSON)
		}
	}))
	return s
}

// notFoundBody is each register's 404 body.
func notFoundBody(path string) any {
	if strings.HasPrefix(path, "/company/") {
		return map[string]any{"errors": []map[string]string{{"error": "company-profile-not-found", "type": "ch:service"}}}
	}
	return map[string]any{"statusCode": 404, "message": "Resource not found"}
}

// NewCharityCommission starts a fake Register of Charities API; its URL
// is the base (as DefaultCharityCommissionURL).
func NewCharityCommission() *Server {
	return newServer(func(path string) (string, bool) {
		rest, ok := strings.CutPrefix(path, "/allcharitydetailsV2/")
		if !ok {
			return "", false
		}
		n, _, _ := strings.Cut(rest, "/")
		return n, true
	})
}

// NewCompaniesHouse starts a fake Public Data API.
func NewCompaniesHouse() *Server {
	return newServer(func(path string) (string, bool) {
		n, ok := strings.CutPrefix(path, "/company/")
		return n, ok && !strings.Contains(n, "/")
	})
}

// Charity is a registered charity's allcharitydetailsV2 record (the
// fields the register documents, abridged).
func Charity(number int, name string, latestIncomePounds float64) map[string]any {
	return map[string]any{
		"organisation_number": number + 1000000, "reg_charity_number": number, "group_subsid_suffix": 0,
		"charity_name": name, "charity_type": "Charitable company", "insolvent": false, "in_administration": false,
		"reg_status": "R", "date_of_registration": "2015-06-01T00:00:00", "date_of_removal": nil,
		"latest_acc_fin_year_start_date": "2024-04-01T00:00:00", "latest_acc_fin_year_end_date": "2025-03-31T00:00:00",
		"latest_income": latestIncomePounds, "latest_expenditure": latestIncomePounds * 0.9,
		"address_line_one": "1 Market Street", "address_line_two": "Peckham", "address_line_three": "London",
		"address_line_four": nil, "address_line_five": nil, "address_post_code": "SE15 4QF",
		"charity_co_reg_number": nil, "last_modified_time": "2025-11-01T10:00:00",
	}
}

// RemovedCharity is a charity removed from the register on removedOn
// (YYYY-MM-DD).
func RemovedCharity(number int, name, removedOn string) map[string]any {
	c := Charity(number, name, 0)
	c["reg_status"] = "RM"
	c["date_of_removal"] = removedOn + "T00:00:00"
	return c
}

// Company is a company profile with company_status status (active,
// dissolved, liquidation…); a dissolved one gets date_of_cessation.
func Company(number, name, status string, accountsOverdue bool) map[string]any {
	c := map[string]any{
		"company_name": name, "company_number": number, "company_status": status, "type": "private-limited-guarant-nsc",
		"date_of_creation": "2012-03-14", "jurisdiction": "england-wales", "can_file": status == "active",
		"has_insolvency_history": status == "liquidation",
		"registered_office_address": map[string]any{"address_line_1": "2 Borough Road", "address_line_2": "Unit 4",
			"locality": "London", "postal_code": "SE1 1AA", "country": "England"},
		"accounts": map[string]any{"overdue": accountsOverdue, "next_due": "2026-12-31",
			"accounting_reference_date": map[string]any{"day": "31", "month": "03"}},
		"links": map[string]any{"self": "/company/" + number},
	}
	if status == "dissolved" {
		c["date_of_cessation"] = "2026-05-01"
	}
	return c
}
